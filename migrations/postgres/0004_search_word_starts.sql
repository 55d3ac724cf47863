-- Search terms of one or two characters match the start of a word, found as the term after a
-- space. The search text now starts with a space, so its first word follows one too.
UPDATE customers SET search_text = ' ' || search_text WHERE search_text NOT LIKE ' %';
