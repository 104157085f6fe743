# One date format throughout (issue 10): «10 June 2027», «10 June 2027, 14:30».
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
