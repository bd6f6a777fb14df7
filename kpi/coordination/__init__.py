"""Running the network: who must still send which file (the chase list), the
coordinator's notes (exemptions, promised dates, refusals made on the upload page), and
reminders by e-mail.

None of it holds a factory's figures: statuses, rule names and rows or columns only. The
notes are written by the dashboards and the reminder schedule, in the data directory,
never in the warehouse (which only pipeline runs write).
"""
