"""Approval and delivery: recipients, mail, the review decision, sending the approved file once."""
