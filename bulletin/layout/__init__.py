"""Draft -> Issue -> .docx: the bulletin's content, composed into the office's Word template."""
