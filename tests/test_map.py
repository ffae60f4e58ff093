"""The map of places (generator/geo.py): the pure pieces (TopoJSON decoding, projection,
clipping, marker sizes, GeoJSON), then what a reader gets on a built site: the map page
with one link per place, the small map on a place's page, ``downloads/places.geojson``,
and no address outside the site."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from conftest import empty_content, import_seeds, snapshot
from generator import geo
from generator.model import Entity
from generator.site import page_url

ROOT = Path(__file__).resolve().parents[1]
SVG_LINK = re.compile(r'<a href="([^"]+)" class="postilla-place"><title>([^<]+)</title>')


def registry_places() -> dict[str, tuple[float, float]]:
    """The shipped registry's places with coordinates: id → (latitude, longitude)."""
    items = yaml.safe_load((ROOT / "content" / "entities.yml").read_text("utf-8"))
    return {
        item["id"]: tuple(item["coordinates"])
        for item in items
        if item.get("type") == "place" and item.get("coordinates")
    }


# --- pure pieces ------------------------------------------------------------------------

TINY_TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10.0, 20.0]},
    "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]]},
                {"type": "MultiPolygon", "arcs": [[[~1, ~0]]]},
                {"type": "Point", "coordinates": [0, 0]},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_and_transformed() -> None:
    arcs = geo.decode_arcs(TINY_TOPOLOGY)
    assert arcs[0] == [(10.0, 20.0), (11.0, 20.0), (11.0, 21.0)]
    assert arcs[1] == [(11.0, 21.0), (10.0, 21.0), (10.0, 20.0)]


def test_rings_join_arcs_and_reverse_negative_indexes() -> None:
    rings = geo.rings_of_topology(TINY_TOPOLOGY)
    assert len(rings) == 2  # the Point has no ring
    assert rings[0] == ((10.0, 20.0), (11.0, 20.0), (11.0, 21.0), (10.0, 21.0), (10.0, 20.0))
    assert rings[1] == tuple(reversed(rings[0]))


def test_the_shipped_base_map_is_natural_earth_countries() -> None:
    rings = geo.countries()
    assert len(rings) > 250
    longitudes = [lon for ring in rings for lon, _ in ring]
    latitudes = [lat for ring in rings for _, lat in ring]
    assert min(longitudes) == pytest.approx(-180, abs=0.01)
    assert max(longitudes) == pytest.approx(180, abs=0.01)
    assert -91 < min(latitudes) < -80 and 80 < max(latitudes) < 85
    assert (ROOT / "generator" / "data" / "world-atlas-LICENSE").is_file()


def test_projection_puts_north_west_at_the_origin_and_longitude_on_x() -> None:
    view = geo.View(west=30, south=30, east=50, north=40, width=400)
    assert view.project(30, 40) == pytest.approx((0, 0))
    assert view.project(50, 30) == pytest.approx((400, view.height), abs=0.5)
    x, y = view.project(40, 35)  # (longitude, latitude): the middle
    assert (x, y) == pytest.approx((200, view.height / 2), abs=0.5)
    # A degree of longitude is narrower than one of latitude away from the equator.
    assert view.height > 400 / 2


def test_clipping_keeps_a_polygon_inside_the_rectangle() -> None:
    square = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)]
    clipped = geo.clip(square, 0, 0, 10, 10)
    assert sorted(set(clipped)) == [(0.0, 0.0), (0.0, 5.0), (5.0, 0.0), (5.0, 5.0)]
    assert geo.clip(square, 20, 20, 30, 30) == []
    assert geo.clip(square, -10, -10, 10, 10) == square


def test_paths_are_quantised_relative_and_closed() -> None:
    view = geo.view_centred(35.95, 39.0, geo.SMALL_SPAN, geo.SMALL_WIDTH, geo.SMALL_HEIGHT)
    data = geo.path_data(geo.countries(), view)
    assert data.startswith("M") and data.endswith("z")
    assert re.fullmatch(r"(M-?\d+ ?-?\d+l[\d -]+z)+", data), data[:200]
    assert "." not in data
    assert len(data) < 12_000  # a region, clipped: a few kilobytes
    # Every moved-to point lies within the view (with its 2-unit pad).
    for x, y in re.findall(r"M(-?\d+) (-?\d+)", data):
        assert -2 <= int(x) <= view.width + 2 and -2 <= int(y) <= view.height + 2


def test_marker_area_grows_with_the_number_of_articles() -> None:
    sizes = [geo.radius(n, 16) for n in (0, 1, 4, 16)]
    assert sizes == sorted(sizes) and len(set(sizes)) == 4
    assert sizes[0] == geo.MIN_RADIUS and sizes[-1] == geo.MAX_RADIUS
    assert geo.radius(0, 0) == geo.MIN_RADIUS


def entity(entity_id: str, kind: str, coordinates: tuple[float, float] | None) -> Entity:
    return Entity(entity_id, entity_id.title(), kind, coordinates=coordinates, wikidata="Q1")  # type: ignore[arg-type]


def test_places_are_place_entities_with_coordinates_most_articles_first() -> None:
    entities = [
        entity("raqqa", "place", (35.9, 39.0)),
        entity("mosul", "place", (36.3, 43.1)),
        entity("nowhere", "place", None),
        entity("isis", "organization", None),
    ]
    places = geo.places_of(entities, {"mosul": ["a", "b"], "raqqa": ["a"]})
    assert [(p.id, p.articles) for p in places] == [("mosul", 2), ("raqqa", 1)]
    assert (places[0].latitude, places[0].longitude) == (36.3, 43.1)


def test_the_busiest_region_gets_a_detail_map_only_when_the_map_is_wide() -> None:
    near = [geo.Place(f"p{i}", f"P{i}", 35 + i * 0.5, 38 + i * 0.5, 1) for i in range(5)]
    far = geo.Place("far", "Far", 38.0, -97.0, 3)
    whole = geo.view_around((p.latitude, p.longitude) for p in [*near, far])
    assert {p.id for p in geo.detail_places([*near, far], whole)} == {p.id for p in near}
    narrow = geo.view_around((p.latitude, p.longitude) for p in near)
    assert geo.detail_places(near, narrow) == []


def test_every_place_falls_inside_the_view_around_them() -> None:
    points = list(registry_places().values())
    view = geo.view_around(points)
    for latitude, longitude in points:
        x, y = view.project(longitude, latitude)
        assert 0 < x < view.width and 0 < y < view.height


def test_map_files_without_places_say_so_and_give_an_empty_collection() -> None:
    files = dict((path, content) for path, content, _ in geo.map_files([], {}, "it", page_url))
    assert "Nessun luogo" in files[geo.MAP_PAGE]
    assert json.loads(files[geo.PLACES_DOWNLOAD]) == {"type": "FeatureCollection", "features": []}


def test_links_follow_use_directory_urls() -> None:
    entities = [entity("raqqa", "place", (35.9, 39.0))]

    def href(target: str, from_page: str) -> str:
        return page_url(target, from_page, directory_urls=False)

    (_, _, blocks), (_, geojson, _) = geo.map_files(entities, {}, "en", href, "https://x.org/a/")
    assert '<a href="../entities/raqqa.html" class="postilla-place">' in blocks[0]
    feature = json.loads(geojson)["features"][0]
    assert feature["properties"]["url"] == "https://x.org/a/entities/raqqa.html"


# --- the built site ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def map_page(shipped_site: Path) -> str:
    return (shipped_site / "map" / "index.html").read_text("utf-8")


def test_the_map_page_has_one_link_per_place_each_resolving(
    shipped_site: Path, map_page: str
) -> None:
    places = registry_places()
    overview = map_page.split('class="postilla-map-svg"')[1].split("</svg>")[0]
    links = SVG_LINK.findall(overview)
    assert sorted(href for href, _ in links) == sorted(f"../entities/{i}/" for i in places)
    for href, title in links:
        page = (shipped_site / "map" / href / "index.html").resolve()
        assert page.is_file(), href
        name = lxml_html.fromstring(page.read_bytes()).findtext(".//h1")
        assert title.startswith(f"{name}: ") and re.search(r": \d+ articol[oi]$", title), title


def test_marker_sizes_follow_the_article_counts(map_page: str) -> None:
    overview = map_page.split('class="postilla-map-svg"')[1].split("</svg>")[0]
    markers = re.findall(
        r"<title>[^<]+: (\d+) articol[oi]</title><circle [^>]* r=\"([\d.]+)\"", overview
    )
    assert len(markers) == len(registry_places())
    by_count = sorted((int(n), float(r)) for n, r in markers)
    radii = [r for _, r in by_count]
    assert radii == sorted(radii) and radii[-1] > radii[0]


def test_the_map_page_lists_the_same_places_for_readers_without_svg(
    shipped_site: Path, map_page: str
) -> None:
    tree = lxml_html.fromstring(map_page)
    rows = tree.xpath('//table[contains(@class, "postilla-sortable")]/tbody/tr')
    places = registry_places()
    assert len(rows) == len(places)
    hrefs = {row.xpath(".//a/@href")[0] for row in rows}
    assert hrefs == {f"../entities/{i}/" for i in places}
    assert "Natural Earth" in map_page
    # The busiest region (the Levant, in the shipped archive) has its own detail map.
    assert map_page.count('class="postilla-map-svg"') == 2


def test_the_map_page_makes_no_request_outside_the_site(map_page: str) -> None:
    tree = lxml_html.fromstring(map_page)
    content = tree.xpath('//*[contains(@class, "md-content")]')[0]
    addresses = [
        value
        for element in content.iter()
        for name, value in element.attrib.items()
        if name in ("href", "src", "xlink:href", "data", "srcset", "style")
    ]
    assert addresses and not [a for a in addresses if re.match(r"(?i)\s*(https?:)?//", a)]
    assert "<script" not in lxml_html.tostring(content, encoding="unicode")
    assert "<image" not in map_page and "url(" not in map_page.split("<body")[1]


def test_a_place_page_has_a_small_map_and_links_to_the_map(shipped_site: Path) -> None:
    page = (shipped_site / "entities" / "raqqa" / "index.html").read_text("utf-8")
    small = re.search(
        r'<svg class="postilla-map-svg" role="img" aria-label="([^"]+)" viewBox="0 0 (\d+) (\d+)"',
        page,
    )
    assert small and small[1] == "Dove si trova Raqqa"
    circle = re.search(r'<circle class="postilla-here" cx="([\d.]+)" cy="([\d.]+)"', page)
    assert circle, "no marker on the small map"
    # The place is the middle of its small map.
    assert float(circle[1]) == pytest.approx(int(small[2]) / 2, abs=1)
    assert float(circle[2]) == pytest.approx(int(small[3]) / 2, abs=1)
    assert 'href="../../map/"' in page
    assert len(page) < 40_000
    person = (shipped_site / "entities" / "stato-islamico" / "index.html").read_text("utf-8")
    assert "postilla-map" not in person


def test_the_entities_index_links_to_the_map(shipped_site: Path) -> None:
    index = (shipped_site / "entities" / "index.html").read_text("utf-8")
    assert 'href="../map/"' in index


def test_places_download_is_geojson_with_longitude_first(shipped_site: Path) -> None:
    collection = json.loads((shipped_site / "downloads" / "places.geojson").read_text("utf-8"))
    assert collection["type"] == "FeatureCollection"
    places = registry_places()
    assert len(collection["features"]) == len(places)
    site_url = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8").split("\ntheme:")[0])[
        "site_url"
    ]
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        longitude, latitude = feature["geometry"]["coordinates"]
        properties = feature["properties"]
        assert (latitude, longitude) == places[properties["id"]]
        assert feature["id"] == properties["id"]
        assert set(properties) == {"id", "name", "wikidata", "articles", "url"}
        assert isinstance(properties["articles"], int) and properties["articles"] >= 0
        assert properties["url"] == f"{site_url}entities/{properties['id']}/"
        assert (shipped_site / "entities" / properties["id"] / "index.html").is_file()
    home = (shipped_site / "index.html").read_text("utf-8")
    assert 'href="downloads/places.geojson"' in home


def test_map_page_size_stays_small(map_page: str) -> None:
    # Measured on the shipped archive (43 places): about 50 kB, of which the world map is
    # about 25 kB and the detail 6 kB; a regression in clipping or quantising shows here.
    assert len(map_page.encode()) < 80_000


# --- bad coordinates --------------------------------------------------------------------


def test_swapped_coordinates_stop_the_build_naming_the_line(tmp_path: Path) -> None:
    """Longitude first (GeoJSON's order) is a mistake a maintainer may make: the build
    stops with one line naming the registry and line; content/ and the old site stay."""
    content = empty_content(tmp_path)
    registry = yaml.safe_load((content / "entities.yml").read_text("utf-8"))
    places = [e for e in registry if e.get("coordinates")][:3]
    (content / "entities.yml").write_text(yaml.safe_dump(places, allow_unicode=True), "utf-8")
    import_seeds(content)
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def build() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "generator", "build"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert build().returncode == 0
    built = snapshot(tmp_path / "site")
    assert built["map/index.html"].count(b'class="postilla-place"') == 3
    registry_text = (content / "entities.yml").read_text("utf-8")
    latitude, longitude = places[0]["coordinates"]
    swapped = registry_text.replace(
        f"- {latitude}\n  - {longitude}\n", f"- {longitude}\n  - {latitude}\n", 1
    )
    assert swapped != registry_text and abs(longitude) > 90  # the first place is the USA
    (content / "entities.yml").write_text(swapped, "utf-8")
    before = snapshot(content)
    failed = build()
    assert failed.returncode != 0
    errors = [line for line in failed.stderr.splitlines() if "coordinates" in line]
    assert len(errors) == 1, failed.stderr
    assert re.search(r"entities\.yml:\d+: .*not \[latitude, longitude\]", errors[0]), errors
    assert snapshot(content) == before
    assert snapshot(tmp_path / "site") == built
