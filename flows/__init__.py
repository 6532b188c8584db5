"""Prefect flows: what runs by itself every working day. Each takes ``as_of`` (default: today
in Europe/Stockholm), so any day can be replayed, and publishes the ``ctc-<tenant>-status`` table and a
markdown summary to the Prefect UI. The deployments and their schedules are in prefect.yaml."""
