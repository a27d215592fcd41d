"""Signals other apps listen to, so meetings need not know them.

`meeting_saved` is sent by the record and edit views after a meeting is saved, with the
choices the form offered on behalf of other apps (today: the 学习计划 item the meeting carried
out, which the study app links; study reads meetings, never the other way round)."""

from django.dispatch import Signal

# kwargs: meeting, user, plan_item (id or None), previous_plan_item (id or None)
meeting_saved = Signal()
