"""Plumbing every part uses: settings, errors, the working-day calendar, templating, signed tokens and links."""
