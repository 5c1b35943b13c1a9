SET lock_timeout = '5s';
-- No primary key: logical replication cannot publish updates and deletes.
CREATE TABLE page_hits (
    path text NOT NULL,
    hit_at timestamptz NOT NULL
);
-- Fine: a primary key inline, or as a table constraint.
CREATE TABLE pages (
    id bigint PRIMARY KEY,
    path text NOT NULL
);
CREATE TABLE page_tags (
    page_id bigint NOT NULL,
    tag text NOT NULL,
    CONSTRAINT pk_page_tags PRIMARY KEY (page_id, tag)
);
