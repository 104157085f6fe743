# One date format throughout (issue 10): «10. juni 2027», «10. juni 2027 kl. 14:30».
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = r"j. F Y \k\l. H:i"
SHORT_DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
