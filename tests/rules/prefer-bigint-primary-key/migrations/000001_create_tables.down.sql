DROP TABLE session_tags;
DROP TABLE sessions;
DROP TABLE clicks;
DROP TABLE page_views;
