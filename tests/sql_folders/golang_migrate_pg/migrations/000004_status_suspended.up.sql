ALTER TYPE user_status ADD VALUE IF NOT EXISTS 'suspended' AFTER 'active';
