"""ctcflow: the Communities That Care process as data, flows and reminders."""

__version__ = "0.1.0"
