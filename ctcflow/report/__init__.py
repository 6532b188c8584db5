"""Reports the process owes: the calendar, the content, the files, the archive, the sending."""
