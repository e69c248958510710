"""The Coaching OS (issue 16): habits and streaks, goals with progress, reflections and the
weekly summary. Every day and week is the learner's own (users.time_zone)."""
