"""The web pages: an overview for the central samordnare, an area page for its team, the
report archive — reached from every reminder through a signed link."""
