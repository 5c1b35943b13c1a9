DROP TABLE staging;
