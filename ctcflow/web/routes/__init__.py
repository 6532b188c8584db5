"""One router per part of the site: signing in, the overview, an area's page, files."""
