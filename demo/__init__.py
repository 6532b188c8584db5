"""The demo and the tooling it shares with tests and benchmarks (a local SMTP server, synthetic
survey waves). Not part of the runtime package."""
