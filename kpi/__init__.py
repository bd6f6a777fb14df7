"""Domain logic of the Sint-Truiden smart factory network KPI platform.

Assets (``assets/``), pipelines (``pipelines/``), the CLI and the dashboards all import
from here, so that every rule, path and formula exists once.
"""
