"""The process as data: phases.yml, areas.yml, survey.yml and programmes.yml loaded, typed and validated."""
