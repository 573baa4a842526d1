"""The back office's forms (WTForms): what each page's POST carries, read and checked in one
place, so the pages only call services with what the forms give them."""
