-- PostgreSQL dialect; migrations/sqlite holds the same version.
-- Known devices (issue 35): a browser that signed in as a person before keeps a random token in
-- its `clientele_device` cookie; only the token's SHA-256 is stored, paired with the person (one
-- browser may be known for several people, one person on many browsers). Its password attempts
-- for that person are not held back by others' guessing (`backend::throttle`).
CREATE TABLE known_devices (
    token_hash   TEXT   NOT NULL,
    person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (token_hash, person_id)
);
CREATE INDEX known_devices_person ON known_devices (person_id);
