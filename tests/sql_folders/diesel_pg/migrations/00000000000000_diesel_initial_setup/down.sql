DROP FUNCTION IF EXISTS app_manage_updated_at(_tbl regclass);
DROP FUNCTION IF EXISTS app_set_updated_at();
