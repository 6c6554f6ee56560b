"""Date and time formats per language (settings.FORMAT_MODULE_PATH). Languages without a
module here use Django's own formats (Norwegian's are already plain: "30. november 2026")."""
