"""What to tell whom, and when: the reminder policy and every kind of notice, keyed for the outbox."""
