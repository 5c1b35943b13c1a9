SET lock_timeout = '5s';
-- 32-bit keys run out at 2,147,483,647.
CREATE TABLE page_views (
    id serial PRIMARY KEY,
    path text NOT NULL
);
CREATE TABLE clicks (
    id integer GENERATED ALWAYS AS IDENTITY,
    target text,
    CONSTRAINT pk_clicks PRIMARY KEY (id)
);
-- Fine: 64-bit keys, and composite keys.
CREATE TABLE sessions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token text NOT NULL
);
CREATE TABLE session_tags (
    session_id bigint NOT NULL,
    tag_id integer NOT NULL,
    PRIMARY KEY (session_id, tag_id)
);
