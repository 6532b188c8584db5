"""The CTC-enkät: reading exports, the risk and protective factor profiles per area with their
suppression, the suggested priorities and the team's decision (its definition is in
ctcflow.definition.survey)."""
