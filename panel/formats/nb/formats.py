# One date and time format for Norwegian Bokmål everywhere: "30. nov 2026",
# "30. nov 2026 14:35", a 24-hour clock, and amounts as "1 234,50".
DATE_FORMAT = "j. b Y"
DATETIME_FORMAT = "j. b Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j. b Y"
SHORT_DATETIME_FORMAT = "j. b Y H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
