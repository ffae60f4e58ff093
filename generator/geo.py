"""Places on a map: the base map, its projection to SVG, markers and GeoJSON.

The base map is Natural Earth's 1:110m country boundaries (public domain), as the
TopoJSON of the npm package ``world-atlas`` 2.0.2 (``data/countries-110m.json``, its ISC
licence beside it). Maps are drawn at build time as inline SVG: a reader's browser makes
no request for them and runs no script. The projection is equirectangular with the
standard parallel at the middle of the view (so a regional map is not stretched), and
country outlines are clipped to the view and quantised to whole units of the viewBox,
which keeps a map of a region a few kilobytes.

Everything here is pure except `countries`, which reads the shipped file once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from html import escape
from importlib import resources
from operator import itemgetter
from urllib.parse import urljoin

from . import i18n
from .model import Entity

# Long HTML stands in a page's Markdown as this marker (the same as site.BLOCK, which
# imports this module), put in place after MkDocs' Markdown.
BLOCK = "<!-- postilla:block:{n} -->"

BASE_MAP = "countries-110m.json"  # under generator/data/, from world-atlas 2.0.2
BASE_MAP_CREDIT = "Natural Earth"

Point = tuple[float, float]  # (longitude, latitude) in degrees, or (x, y) in the viewBox
Ring = tuple[Point, ...]

MAP_WIDTH = 960  # viewBox width of the map page's maps
SMALL_WIDTH = 320  # viewBox width of the small map on a place's page
SMALL_HEIGHT = 200
SMALL_SPAN = 24.0  # degrees of longitude a place's small map shows
DETAIL_SPAN = 14.0  # degrees of longitude of the map page's detail of its busiest region
DETAIL_MIN_PLACES = 4  # a region gets a detail map when it holds this many places…
DETAIL_RATIO = 3.0  # …and the whole view is this many times wider
MARGIN = 4.0  # degrees around the places on the map page
MIN_RADIUS, MAX_RADIUS = 5.0, 18.0  # marker radii, in viewBox units of a MAP_WIDTH map


@dataclass(frozen=True)
class Place:
    """A place entity with coordinates, as the maps and downloads show it."""

    id: str
    name: str
    latitude: float
    longitude: float
    articles: int
    wikidata: str | None = None


@dataclass(frozen=True)
class View:
    """A rectangle of the Earth (degrees) drawn into a viewBox `width` units wide."""

    west: float
    south: float
    east: float
    north: float
    width: int

    @property
    def squeeze(self) -> float:
        """Horizontal scale of a degree of longitude: the cosine of the middle latitude."""
        return max(0.2, math.cos(math.radians((self.north + self.south) / 2)))

    @property
    def scale(self) -> float:
        """viewBox units per degree of latitude."""
        return self.width / ((self.east - self.west) * self.squeeze)

    @property
    def height(self) -> int:
        return max(1, round((self.north - self.south) * self.scale))

    def project(self, longitude: float, latitude: float) -> Point:
        """Where a point of the Earth falls in the viewBox (x to the right, y down)."""
        return (
            (longitude - self.west) * self.squeeze * self.scale,
            (self.north - latitude) * self.scale,
        )


# --- the base map -----------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[Point]]:
    """The arcs of a quantised TopoJSON topology, in degrees (delta-decoded, transformed)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_of(arc_indexes: Sequence[int], arcs: list[list[Point]]) -> Ring:
    """A closed ring from TopoJSON arc indexes (``~i`` is arc i reversed); each arc after
    the first starts where the one before ended, so its first point is dropped."""
    points: list[Point] = []
    for index in arc_indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return tuple(points)


def rings_of_topology(topology: dict, name: str = "countries") -> tuple[Ring, ...]:
    """Every ring (outer and hole) of the polygons of object `name`, in degrees."""
    arcs = decode_arcs(topology)
    rings = []
    for geometry in topology["objects"][name]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs", [])], "MultiPolygon": geometry.get("arcs", [])}
        for polygon in polygons.get(geometry["type"], []):
            rings += [ring_of(ring, arcs) for ring in polygon]
    return tuple(rings)


@cache
def countries() -> tuple[Ring, ...]:
    """The shipped base map's country rings (read once: the file does not change)."""
    text = resources.files(__package__).joinpath("data", BASE_MAP).read_text("utf-8")
    return rings_of_topology(json.loads(text))


# --- views ------------------------------------------------------------------------------


def view_around(points: Iterable[tuple[float, float]], width: int = MAP_WIDTH) -> View:
    """The view holding every (latitude, longitude) with a margin, at least 20° wide and
    12° high, within ±80° of latitude."""
    points = list(points) or [(0.0, 0.0)]
    south = max(-80.0, min(lat for lat, _ in points) - MARGIN)
    north = min(80.0, max(lat for lat, _ in points) + MARGIN)
    west = max(-180.0, min(lon for _, lon in points) - MARGIN)
    east = min(180.0, max(lon for _, lon in points) + MARGIN)
    west, east = _widen(west, east, 20.0, -180.0, 180.0)
    south, north = _widen(south, north, 12.0, -80.0, 80.0)
    return View(west, south, east, north, width)


def _widen(
    low: float, high: float, least: float, floor: float, ceiling: float
) -> tuple[float, float]:
    """The interval [low, high] widened around its middle to at least `least`, kept inside
    [floor, ceiling]."""
    if high - low >= least:
        return low, high
    middle = min(max((low + high) / 2, floor + least / 2), ceiling - least / 2)
    return middle - least / 2, middle + least / 2


def view_centred(latitude: float, longitude: float, span: float, width: int, height: int) -> View:
    """A view `span` degrees of longitude wide centred on a point, `width`×`height` units."""
    squeeze = max(0.2, math.cos(math.radians(latitude)))
    lat_span = span * squeeze * height / width
    south, north = _widen(latitude, latitude, lat_span, -80.0, 80.0)
    west, east = _widen(longitude, longitude, span, -180.0, 180.0)
    return View(west, south, east, north, width)


def busiest_region(places: Sequence[Place], span: float = DETAIL_SPAN) -> list[Place]:
    """The places inside the `span`-degree square (centred on a place) that holds the most
    of them; ties go to the one holding more articles."""
    best: list[Place] = []
    for centre in places:
        inside = [
            p
            for p in places
            if abs(p.longitude - centre.longitude) <= span / 2
            and abs(p.latitude - centre.latitude) <= span / 2
        ]
        key = (len(inside), sum(p.articles for p in inside))
        if key > (len(best), sum(p.articles for p in best)):
            best = inside
    return best


def detail_places(places: Sequence[Place], whole: View) -> list[Place]:
    """The places of the map page's detail map, or none when the whole map is enough: the
    busiest region must hold DETAIL_MIN_PLACES places and be much narrower than the view."""
    region = busiest_region(places)
    if len(region) < DETAIL_MIN_PLACES or whole.east - whole.west < DETAIL_RATIO * DETAIL_SPAN:
        return []
    return region


# --- drawing ----------------------------------------------------------------------------


def clip(
    ring: Sequence[Point], left: float, top: float, right: float, bottom: float
) -> list[Point]:
    """A projected ring clipped to a rectangle (Sutherland–Hodgman): a polygon stays a
    polygon, its parts outside running along the rectangle's edges."""
    edges: list[tuple[Callable[[Point], bool], Callable[[Point, Point], Point]]] = [
        (lambda p: p[0] >= left, lambda a, b: _at_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _at_x(a, b, right)),
        (lambda p: p[1] >= top, lambda a, b: _at_y(a, b, top)),
        (lambda p: p[1] <= bottom, lambda a, b: _at_y(a, b, bottom)),
    ]
    points = list(ring)
    for inside, cross in edges:
        if not points:
            break
        kept: list[Point] = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    kept.append(cross(previous, point))
                kept.append(point)
            elif inside(previous):
                kept.append(cross(previous, point))
            previous = point
        points = kept
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])


def _at_y(a: Point, b: Point, y: float) -> Point:
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y


def path_data(rings: Iterable[Ring], view: View) -> str:
    """SVG path data of the rings in the view: projected, clipped just outside the view (so
    no outline runs along its edge), rounded to whole units, written with relative moves."""
    pad = 2.0
    parts = []
    across, down = view.squeeze * view.scale, view.scale  # `View.project`, worked out once
    west, north, width, height = view.west, view.north, view.width, view.height
    for ring in rings:
        if not ring:
            continue
        # A ring wholly outside the view is left out before projecting its points (a place's
        # small map shows a few countries of the world's 170).
        left, right = (min(ring)[0] - west) * across, (max(ring)[0] - west) * across
        top = (north - max(ring, key=itemgetter(1))[1]) * down
        bottom = (north - min(ring, key=itemgetter(1))[1]) * down
        if right < -pad or left > width + pad or bottom < -pad or top > height + pad:
            continue
        projected = [((lon - west) * across, (north - lat) * down) for lon, lat in ring]
        clipped = clip(projected, -pad, -pad, width + pad, height + pad)
        whole: list[tuple[int, int]] = []
        for x, y in clipped:
            point = (round(x), round(y))
            if not whole or point != whole[-1]:
                whole.append(point)
        if len(whole) > 1 and whole[0] == whole[-1]:
            whole.pop()
        if len(whole) < 3:
            continue
        steps = [f"M{whole[0][0]} {whole[0][1]}"]
        steps += [
            f"{b[0] - a[0]} {b[1] - a[1]}".replace(" -", "-") for a, b in zip(whole, whole[1:])
        ]
        parts.append(steps[0] + "l" + " ".join(steps[1:]).replace(" -", "-") + "z")
    return "".join(parts)


def radius(articles: int, most: int, width: int = MAP_WIDTH) -> float:
    """A marker's radius: its area grows with the number of articles (the square root of
    the share of the busiest place), from MIN_RADIUS for none to MAX_RADIUS."""
    share = math.sqrt(articles / most) if most > 0 else 0.0
    return (MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * share) * width / MAP_WIDTH


def map_svg(
    places: Sequence[Place],
    view: View,
    label: str,
    href: Callable[[Place], str],
    title: Callable[[Place], str],
    rings: Iterable[Ring] | None = None,
    most: int | None = None,
) -> str:
    """An inline SVG map (one line, no script): the countries, then one linked circle per
    place in the view, largest first so that a small one is never hidden under a large one.
    Each link's accessible name and tooltip is its `<title>`."""
    rings = countries() if rings is None else rings
    most = max((p.articles for p in places), default=0) if most is None else most
    marker_scale = max(view.width, MAP_WIDTH * 0.6)
    shown = [
        p
        for p in places
        if view.west <= p.longitude <= view.east and view.south <= p.latitude <= view.north
    ]
    shown.sort(key=lambda p: (-p.articles, p.name.casefold()))
    markers = []
    for place in shown:
        x, y = view.project(place.longitude, place.latitude)
        r = radius(place.articles, most, round(marker_scale))
        markers.append(
            f'<a href="{escape(href(place))}" class="postilla-place">'
            f"<title>{escape(title(place))}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/></a>'
        )
    return (
        f'<svg class="postilla-map-svg" role="group" aria-label="{escape(label)}" '
        f'viewBox="0 0 {view.width} {view.height}" width="{view.width}" height="{view.height}">'
        f'<rect class="postilla-sea" width="{view.width}" height="{view.height}"/>'
        f'<path class="postilla-land" aria-hidden="true" d="{path_data(rings, view)}"/>'
        + "".join(markers)
        + "</svg>"
    )


# --- data -------------------------------------------------------------------------------


def places_geojson(places: Sequence[Place], url: Callable[[Place], str]) -> str:
    """The places as a GeoJSON FeatureCollection (RFC 7946) of Points: coordinates are
    [longitude, latitude]; properties give the id, name, Wikidata id, number of articles
    and the address of the entity's page."""
    features = [
        {
            "type": "Feature",
            "id": place.id,
            "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
            "properties": {
                "id": place.id,
                "name": place.name,
                "wikidata": place.wikidata,
                "articles": place.articles,
                "url": url(place),
            },
        }
        for place in places
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


# --- pages ------------------------------------------------------------------------------

MAP_PAGE = "map/index.md"
PLACES_DOWNLOAD = "downloads/places.geojson"


def places_of(entities: Iterable[Entity], articles_of: Mapping[str, Sequence[str]]) -> list[Place]:
    """The place entities that have coordinates, most articles first, then by name."""
    places = [
        Place(
            entity.id,
            entity.name,
            entity.coordinates[0],
            entity.coordinates[1],
            len(articles_of.get(entity.id, ())),
            entity.wikidata,
        )
        for entity in entities
        if entity.type == "place" and entity.coordinates is not None
    ]
    places.sort(key=lambda p: (-p.articles, p.name.casefold()))
    return places


def place_title(place: Place, language: str) -> str:
    """A marker's accessible name and tooltip: ``Raqqa: 12 articoli``."""
    t = i18n.strings(language)
    count = (
        t["article_count_one"]
        if place.articles == 1
        else t["article_count"].format(n=place.articles)
    )
    return f"{place.name}: {count}"


def map_page(
    places: Sequence[Place], language: str, href: Callable[[Place], str]
) -> tuple[str, tuple[str, ...]]:
    """The map page's Markdown and its HTML blocks: the map of every place (and a detail
    of the busiest region when the map is wide), then the same places as a sortable table
    for screen readers and browsers without SVG. `href` is a place's page from the map's."""
    t = i18n.strings(language)
    lines = [f"# {t['map']}", ""]
    if not places:
        return "\n".join([*lines, t["map_none"], ""]), ()
    lines += [t["map_intro"].format(n=len(places)), ""]
    most = max(p.articles for p in places)
    title = partial(place_title, language=language)
    whole = view_around((p.latitude, p.longitude) for p in places)
    blocks = [
        '<figure class="postilla-map">'
        + map_svg(places, whole, t["map_label"], href, title, most=most)
        + "</figure>"
    ]
    lines += [BLOCK.format(n=0), ""]
    detail = detail_places(places, whole)
    if detail:
        view = view_around((p.latitude, p.longitude) for p in detail)
        lines += [f"## {t['map_detail']}", "", BLOCK.format(n=1), ""]
        blocks.append(
            '<figure class="postilla-map">'
            + map_svg(places, view, t["map_detail"], href, title, most=most)
            + "</figure>"
        )
    rows = "".join(
        f'<tr><td><a href="{escape(href(p))}">{escape(p.name)}</a></td>'
        f"<td>{p.articles}</td><td>{p.latitude:.4f}</td><td>{p.longitude:.4f}</td></tr>"
        for p in places
    )
    lines += [f"## {t['types_place']}", "", t["sort_hint"], "", BLOCK.format(n=len(blocks)), ""]
    blocks.append(
        f'<table class="postilla-sortable"><thead><tr><th>{t["name"]}</th>'
        f'<th data-sort="number">{t["articles"]}</th>'
        f'<th data-sort="number">{t["map_latitude"]}</th>'
        f'<th data-sort="number">{t["map_longitude"]}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    lines += [t["map_credit"], ""]
    return "\n".join(lines), tuple(blocks)


def small_map(place: Place, language: str) -> str:
    """The small map on a place's page: the region around it and its marker (no link: it
    is the page the reader is on), as one line of HTML."""
    t = i18n.strings(language)
    view = view_centred(place.latitude, place.longitude, SMALL_SPAN, SMALL_WIDTH, SMALL_HEIGHT)
    x, y = view.project(place.longitude, place.latitude)
    label = t["map_where"].format(name=place.name)
    return (
        f'<figure class="postilla-map postilla-map-small">'
        f'<svg class="postilla-map-svg" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {view.width} {view.height}" width="{view.width}" height="{view.height}">'
        f'<rect class="postilla-sea" width="{view.width}" height="{view.height}"/>'
        f'<path class="postilla-land" d="{path_data(countries(), view)}"/>'
        f'<circle class="postilla-here" cx="{x:.1f}" cy="{y:.1f}" r="6"/></svg>'
        f"<figcaption>{escape(place.name)} · {place.latitude:.4f}, {place.longitude:.4f}"
        "</figcaption></figure>"
    )


def map_files(
    entities: Iterable[Entity],
    articles_of: Mapping[str, Sequence[str]],
    language: str,
    page_href: Callable[[str, str], str],
    site_url: str | None = None,
) -> list[tuple[str, str, tuple[str, ...]]]:
    """The map page and ``downloads/places.geojson``, as (path, content, blocks).
    `page_href(target, from_page)` is the relative URL between two pages' sources; the
    GeoJSON's page addresses are absolute when the site's address is known."""
    places = places_of(entities, articles_of)
    markdown, blocks = map_page(
        places, language, lambda p: page_href(f"entities/{p.id}.md", MAP_PAGE)
    )

    def url(place: Place) -> str:
        return urljoin(site_url or "", page_href(f"entities/{place.id}.md", "index.md"))

    return [
        (MAP_PAGE, markdown + "\n", blocks),
        (PLACES_DOWNLOAD, places_geojson(places, url), ()),
    ]
