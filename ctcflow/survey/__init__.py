"""The CTC-enkät: its definition (survey.yml), importing a wave, the risk and protective factor
profiles per area, and the suggested priorities."""
