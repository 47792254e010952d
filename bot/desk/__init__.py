"""The photographer's desk: lead cards, admin commands, hand-off to prospects, reminders and the daily digest."""
