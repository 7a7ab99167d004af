"""Users of the console and API."""

from __future__ import annotations

from piccolo.columns import Boolean, Serial, Timestamptz, Varchar
from piccolo.table import Table


class AppUser(Table, tablename="app_user"):
    id: Serial
    username = Varchar(length=64, unique=True, required=True)
    password_hash = Varchar(length=256, required=True)
    role = Varchar(length=16, default="viewer")  # admin | engineer | viewer
    email = Varchar(length=254, null=True, default=None, unique=True)  # a second login name
    disabled = Boolean(default=False)
    created_at = Timestamptz()
