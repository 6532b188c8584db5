"""The application layer: the use cases the command line, the web and the flows call, each in
its own transaction."""
