"""The learning core: programmes, tracks and missions (authoring and scope), cohorts and enrolment, submissions, mentor reviews, progress and the role homes' data."""
