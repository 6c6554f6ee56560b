# One date and time format for English everywhere: "30 Nov 2026", "30 Nov 2026 14:35", a
# 24-hour clock. Templates use them through the `day`, `when` and `ago` filters
# (panel/core/templatetags/panel.py), and Django uses them for a plain {{ datetime }}.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
