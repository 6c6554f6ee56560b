# gunicorn reads this file from the folder it starts in (/app in the Docker image): the
# access log hides the secrets of invitation and password reset links (panel/site/accesslog.py).
logger_class = "panel.site.accesslog.AccessLog"
