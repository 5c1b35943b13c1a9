-- migrate:up
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TYPE weather AS ENUM ('sunny', 'rainy');
CREATE TABLE diary (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mood mood NOT NULL,
    weather weather
);

-- migrate:down
DROP TABLE diary;
DROP TYPE weather;
DROP TYPE mood;
