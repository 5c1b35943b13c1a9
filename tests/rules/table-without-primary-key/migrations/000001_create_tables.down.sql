DROP TABLE page_tags;
DROP TABLE pages;
DROP TABLE page_hits;
