"""What the back office's own pages read and do that no subject's service offered yet, one job
per module: the calendar's days, a workshop session's sheet, the dashboard's figures, the
path on a registration's page, and the broadcasts' look-ups. The pages import these (and the
other services), never the tables."""
