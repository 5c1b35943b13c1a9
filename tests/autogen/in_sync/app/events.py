from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from app.tables import metadata

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("venue_id", ForeignKey("venues.id"), nullable=False),
    Column("title", String(200)),
    Index("ix_events_venue_title", "venue_id", "title"),
)
