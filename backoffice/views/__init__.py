"""The back office's pages: sqladmin model views of the programme's tables and our own pages."""
