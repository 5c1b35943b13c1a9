BEGIN;
UPDATE users SET full_name = split_part(email::text, '@', 1) WHERE full_name = '';
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE full_name = '') THEN
        RAISE NOTICE 'some users still have no name; check them';
    END IF;
END
$$;
COMMIT;
