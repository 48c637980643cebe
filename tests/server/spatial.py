"""Points through the official neo4j Python driver against `kg serve` (run by tests/spatial.rs).

Usage: python spatial.py URL
Prints one line per check; any failure raises (non-zero exit).
"""
import sys

import neo4j
from neo4j import GraphDatabase
from neo4j.spatial import CartesianPoint, WGS84Point

url = sys.argv[1]
print("driver", neo4j.__version__, "url", url)


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name} failed: {detail!r}")
    print("ok", name)


with GraphDatabase.driver(url, auth=("neo4j", "anything")) as driver:
    driver.execute_query("MATCH (n) DETACH DELETE n")

    # Results: Point2D/Point3D structures hydrate into the driver's point classes.
    records, _, _ = driver.execute_query(
        "RETURN point({x: 2.3, y: 4.5}) AS c2, point({x: 1, y: 2, z: 3}) AS c3, "
        "point({longitude: 56.7, latitude: 12.78}) AS g2, "
        "point({longitude: 56.7, latitude: 12.78, height: 8}) AS g3"
    )
    r = records[0]
    c2, c3, g2, g3 = r["c2"], r["c3"], r["g2"], r["g3"]
    check("cartesian 2D", isinstance(c2, CartesianPoint) and c2.srid == 7203
          and (c2.x, c2.y) == (2.3, 4.5), c2)
    check("cartesian 3D", isinstance(c3, CartesianPoint) and c3.srid == 9157
          and (c3.x, c3.y, c3.z) == (1.0, 2.0, 3.0), c3)
    check("WGS-84 2D", isinstance(g2, WGS84Point) and g2.srid == 4326
          and (g2.longitude, g2.latitude) == (56.7, 12.78), g2)
    check("WGS-84 3D", isinstance(g3, WGS84Point) and g3.srid == 4979
          and (g3.longitude, g3.latitude, g3.height) == (56.7, 12.78, 8.0), g3)

    # Parameters: the driver's points are sent as structures and read as points.
    records, _, _ = driver.execute_query(
        "CREATE (p:Place {name: 'office', loc: $loc, pin: $pin, route: $route}) "
        "RETURN p.loc.srid AS srid, p.pin.z AS z, point.distance($loc, $other) AS d, "
        "valueType($loc) AS t",
        loc=WGS84Point((12.994341, 55.611784)),
        pin=CartesianPoint((1.0, 2.0, 3.0)),
        route=[CartesianPoint((0.0, 0.0)), CartesianPoint((3.0, 4.0))],
        other=WGS84Point((12.564590, 55.672874)),
    )
    r = records[0]
    check("point parameters", r["srid"] == 4326 and r["z"] == 3.0 and r["t"] == "POINT NOT NULL", r)
    check("distance of parameters", round(r["d"]) == 27842, r["d"])

    # Stored points come back as points, lists of points as lists.
    records, _, _ = driver.execute_query(
        "MATCH (p:Place {name: 'office'}) RETURN p.loc AS loc, p.route AS route, p"
    )
    r = records[0]
    check("stored point", r["loc"] == WGS84Point((12.994341, 55.611784)), r["loc"])
    check("stored list of points",
          r["route"] == [CartesianPoint((0.0, 0.0)), CartesianPoint((3.0, 4.0))], r["route"])
    check("node property", r["p"]["pin"] == CartesianPoint((1.0, 2.0, 3.0)), r["p"])

    # Equality against a parameter finds the node.
    records, _, _ = driver.execute_query(
        "MATCH (p:Place) WHERE p.loc = $loc RETURN p.name AS name",
        loc=WGS84Point((12.994341, 55.611784)),
    )
    check("match by point", [x["name"] for x in records] == ["office"], records)

    # A point Neo4j would refuse is a client error, not a crash.
    try:
        driver.execute_query("RETURN point({latitude: 91, longitude: 0}) AS p")
        check("invalid latitude refused", False)
    except neo4j.exceptions.ClientError as e:
        check("invalid latitude refused", "Valid range for Y coordinate is [-90, 90]" in e.message,
              e.message)

print("all checks passed")
