"""API: clients and searches (the firm's job openings). Thin views: the searches page's filters
(portal.services.searches.filter_query) and its create rules (create_search, get_or_create_client)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api import schemas as s
from portal.api.blueprint import bp
from portal.api.common import json_response, listing, one, page, requires, write
from portal.models import Client, Search, SearchSkill
from portal.services import searches

CLIENT = s.Client()
SEARCH = s.Search()


@bp.route("/clients")
class Clients(MethodView):
    @requires("clients")
    @bp.arguments(s.ClientListArgs, location="query")
    @bp.response(200, s.ClientPage)
    def get(self, args):
        """List clients (by id; `updated_since` is their creation time)."""
        stmt = select(Client)
        if args.get("q"):
            stmt = stmt.where(Client.name.ilike(f"%{args['q'].strip()[:100]}%"))
        return json_response(listing(page(stmt, args, Client.id, since_col=Client.created_at), CLIENT))

    @requires("clients", write=True)
    @bp.arguments(s.ClientIn)
    @bp.response(201, s.Client)
    def post(self, data):
        """Add a client (an existing client of the same name is returned instead)."""
        return write(lambda: searches.get_or_create_client(g.firm, data["name"]), CLIENT, "client.created", 201)


@bp.route("/clients/<int:client_id>")
class ClientItem(MethodView):
    @requires("clients")
    @bp.response(200, s.Client)
    def get(self, client_id):
        """One client."""
        return json_response(CLIENT.dump(one(Client, client_id)))


@bp.route("/searches")
class Searches(MethodView):
    @requires("searches")
    @bp.arguments(s.SearchListArgs, location="query")
    @bp.response(200, s.SearchPage)
    def get(self, args):
        """List searches (the searches page's filters; every state unless `state` is given)."""
        filters = searches.SearchFilters(
            state=args.get("state"),
            owner_id=args.get("owner_id"),
            client_id=args.get("client_id"),
            text=args.get("q"),
            include_closed=True,
        )
        stmt = searches.filter_query(select(Search), filters).options(
            selectinload(Search.skills).joinedload(SearchSkill.skill)
        )
        return json_response(listing(page(stmt, args, Search.id, Search.updated_at), SEARCH))

    @requires("searches", write=True)
    @bp.arguments(s.SearchIn)
    @bp.response(201, s.Search)
    def post(self, data):
        """Open a search (its client is found by name, or added)."""
        return write(
            lambda: searches.create_search(g.firm, g.api_actor, searches.SearchInput(**data)),
            SEARCH,
            "search.created",
            201,
        )


@bp.route("/searches/<int:search_id>")
class SearchItem(MethodView):
    @requires("searches")
    @bp.response(200, s.Search)
    def get(self, search_id):
        """One search."""
        return json_response(SEARCH.dump(one(Search, search_id)))
