"""Gallery specs of themes and interactivity, and the features behind them.

Themes are checked where they must show: in the compiled Vega-Lite ``config`` and in the rendered
SVG (background, text and grid colours). Interactivity is checked in the compiled Vega-Lite
(params, scale binding, one tooltip for every series), in the static SVG (nothing extra drawn at
rest) and in a real headless chromium, offline: hovering shows the rule and the tooltip, the wheel
zooms x while both y axes stay as they were.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vl_convert as vlc
from conftest import SPECS, RunCli, assert_valid_vega_lite, build_specs, built_vegalite, chromium_path, write_tree
from playwright import sync_api
from svgchart import parse_color, parse_svg

import chartspec
from chartspec.compiler.interactive import AREA_NAME, HOVER_PARAM, LAYER_NAME, RULE_NAME, ZOOM_PARAM, static_view
from chartspec.render.export import render
from chartspec.spec.themes import DARK_THEME, DEFAULT_THEME, theme_names

GALLERY = ["theme_dark_training", "theme_fivethirtyeight_loss", "theme_brand_file", "interactive_loss_accuracy"]
REFERENCE = (SPECS / "rl_training.yaml").read_text(encoding="utf-8")


def luminance(color: str) -> float:
    rgb = parse_color(color)
    assert rgb is not None, color
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gallery specs of this file, built once through the real CLI."""
    return build_specs(tmp_path_factory.mktemp("gallery_themes"), [SPECS / f"{name}.yaml" for name in GALLERY],
                       "html,svg,json")


def compiled(built: Path, name: str) -> dict[str, Any]:
    return built_vegalite(built, name, hover=True)


def background_fill(svg: str) -> str:
    """Vega paints the chart background as the first rect of the SVG."""
    match = re.search(r'<rect width="[\d.]+" height="[\d.]+" fill="([^"]+)"', svg)
    assert match, "no background rect"
    return match.group(1)


# -- themes ---------------------------------------------------------------------------------------

def test_every_vega_theme_is_offered_next_to_chartspecs_own() -> None:
    assert theme_names()[0] == DEFAULT_THEME
    assert set(vlc.get_themes()) <= set(theme_names())
    for name in theme_names()[1:]:  # each theme keeps the compiled spec valid Vega-Lite
        vl = chartspec.to_vegalite(chartspec.loads(REFERENCE.replace("data:", f"theme: {name}\ndata:", 1),
                                                   path=SPECS / "rl_training.yaml"))
        assert_valid_vega_lite(vl)
        painted = vl.get("background", vl["config"].get("background"))
        expected = {**vlc.get_themes(), DARK_THEME: {"background": "#1e1e1e"}}[name].get("background", "white")
        assert painted == expected  # never transparent
    assert {"dark", "fivethirtyeight", "ggplot2", "latimes", "quartz", "vox", "urbaninstitute", "googlecharts",
            "powerbi", "carbonwhite"} <= set(theme_names())


def test_the_default_theme_is_todays_look() -> None:
    plain = chartspec.to_vegalite(chartspec.loads(REFERENCE, path=SPECS / "rl_training.yaml"))
    named = chartspec.to_vegalite(chartspec.loads(REFERENCE.replace("data:", "theme: chartspec\ndata:", 1),
                                                  path=SPECS / "rl_training.yaml"))
    assert named == plain
    assert plain["background"] == "white" and "background" not in plain["config"]
    assert LAYER_NAME in json.dumps(plain) and LAYER_NAME not in json.dumps(static_view(plain))  # HTML only


def test_dark_theme_gives_a_dark_background_and_light_text(built: Path) -> None:
    vl = compiled(built, "theme_dark_training")
    dark = vlc.get_themes()["dark"]
    assert "background" not in vl  # the theme's background applies, through config
    assert vl["config"]["background"] == dark["background"]
    assert vl["config"]["axis"]["gridDash"] == [4, 4]  # the spec's own grid setting survives the theme
    svg_text = (built / "theme_dark_training.svg").read_text(encoding="utf-8")
    assert luminance(background_fill(svg_text)) < 0.3
    chart = parse_svg(svg_text)
    title = chart.by_role("title-text")
    assert title and all(luminance(t.fill) > 0.9 for t in title if t.tag == "text")
    x_axis = chart.axis("RL Training Steps")
    assert x_axis.labels and all(luminance(label.fill) > 0.9 for label in x_axis.labels)
    assert luminance(x_axis.title_item.fill) > 0.9
    # The inside legend's box takes the dark background, so its white labels stay readable.
    legend = chart.legends[0]
    assert legend.background is not None and luminance(legend.background.fill) < 0.3
    assert all(luminance(label.fill) > 0.9 for label in legend.labels)


def test_fivethirtyeight_theme_sets_background_and_grid(built: Path) -> None:
    vl = compiled(built, "theme_fivethirtyeight_loss")
    theme = vlc.get_themes()["fivethirtyeight"]
    assert vl["config"]["background"] == theme["background"]
    svg_text = (built / "theme_fivethirtyeight_loss.svg").read_text(encoding="utf-8")
    assert parse_color(background_fill(svg_text)) == parse_color(theme["background"])
    # no grid colour in the spec: the theme's grid colour is drawn, not chartspec's #dddddd
    grid = [line for axis in parse_svg(svg_text).axes_all for line in axis.grid]
    assert grid and {parse_color(line.stroke) for line in grid} == {parse_color(theme["axis"]["gridColor"])}


def test_theme_file_is_merged_into_config(built: Path) -> None:
    vl = compiled(built, "theme_brand_file")
    brand = json.loads((SPECS / "themes" / "brand.json").read_text(encoding="utf-8"))
    assert vl["config"]["background"] == brand["background"]
    assert vl["config"]["title"]["anchor"] == "start"  # the theme beats chartspec's "middle"
    svg_text = (built / "theme_brand_file.svg").read_text(encoding="utf-8")
    assert parse_color(background_fill(svg_text)) == parse_color(brand["background"])
    chart = parse_svg(svg_text)
    assert parse_color(chart.axis("Step").title_item.fill) == parse_color(brand["axis"]["titleColor"])
    title = next(t for t in chart.by_role("title-text") if t.tag == "text")
    assert title.x < chart.width / 3  # anchored at the start, not centred


def test_layers_without_a_colour_take_the_theme_palette(built: Path) -> None:
    brand = json.loads((SPECS / "themes" / "brand.json").read_text(encoding="utf-8"))["range"]["category"]
    vl = compiled(built, "theme_brand_file")
    assert vl["layer"][0]["encoding"]["color"]["scale"]["range"] == brand[:2]
    chart = parse_svg((built / "theme_brand_file.svg").read_text(encoding="utf-8"))
    for title, colour in (("Validation accuracy", brand[0]), ("Learning rate", brand[1])):  # axes follow
        assert parse_color(chart.axis(title).title_item.fill) == parse_color(colour)
    lines = {parse_color(i.attrib["stroke"]) for i in chart.by_role("mark", "line")}
    assert lines == {parse_color(brand[0]), parse_color(brand[1])}


def test_named_and_build_themes_colour_layers_and_runs_but_not_explicit_colours(run_cli: RunCli,
                                                                                tmp_path: Path) -> None:
    palette = vlc.get_themes()["fivethirtyeight"]["range"]["category"]
    own = chartspec.to_vegalite(chartspec.loads(spec_text("theme: fivethirtyeight\n"), path=SPECS / "x.yaml"))
    assert own["layer"][0]["encoding"]["color"]["scale"]["range"] == palette[:2]
    runs = ("title: T\ntheme: fivethirtyeight\ndata: {values: [{s: 0, r: b, v: 1}, {s: 0, r: a, v: 2}]}\n"
            "x: {field: s}\nlayers:\n  - {name: fixed, color: '#123456', y: {field: v}}\n"
            "  - {y: {field: v}, color: {field: r}}\n")
    vl = chartspec.to_vegalite(chartspec.loads(runs, path=SPECS / "x.yaml"))
    scale = static_view(vl)["layer"][0]["layer"][0]["encoding"]["color"]["scale"]  # one shared axis
    assert scale == {"domain": ["fixed", "a", "b"], "range": ["#123456", *palette[:2]]}
    project = write_tree(tmp_path / "p", {".git/HEAD": "", "specs/a.yaml": spec_text()})
    proc = run_cli("build", "specs", "-o", "out", "-f", "json", "--theme", "fivethirtyeight", cwd=project)
    assert proc.returncode == 0, proc.stderr
    built_vl = json.loads((project / "out" / "a.vl.json").read_text(encoding="utf-8"))
    assert static_view(built_vl)["layer"][0]["encoding"]["color"]["scale"]["range"] == palette[:2]


def test_theme_files_are_not_built_as_charts(run_cli: RunCli, tmp_path: Path) -> None:
    proc = run_cli("validate", SPECS, "--json")
    report = json.loads(proc.stdout)
    specs = json.dumps(report)
    assert "brand.json" not in specs and "themes/" not in specs


def spec_text(extra: str = "") -> str:
    return ("title: T\n" + extra + "data: {values: [{s: 0, a: 1, b: 5}, {s: 1, a: 2, b: 3}, {s: 2, a: 4, b: 4}]}\n"
            "x: {field: s}\nlayers:\n  - {y: {field: a}}\n  - {y: {field: b}}\n")


def test_the_specs_theme_wins_over_the_build_theme(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {"chartspec.toml": 'theme = "dark"\n', "specs/plain.yaml": spec_text(),
                                          "specs/own.yaml": spec_text("theme: vox\n"),
                                          "specs/default.yaml": spec_text("theme: chartspec\n")})
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=project)
    assert proc.returncode == 0, proc.stderr
    fills = {name: background_fill((project / "out" / f"{name}.svg").read_text()) for name in ("plain", "own",
                                                                                                "default")}
    assert parse_color(fills["plain"]) == parse_color(vlc.get_themes()["dark"]["background"])
    assert parse_color(fills["own"]) == parse_color(vlc.get_themes()["vox"].get("background", "white"))
    assert parse_color(fills["default"]) == (255, 255, 255)
    proc = run_cli("build", "specs", "-o", "out2", "-f", "svg", "-j", "0", "--theme", "fivethirtyeight", cwd=project)
    assert proc.returncode == 0, proc.stderr
    plain = background_fill((project / "out2" / "plain.svg").read_text())
    assert parse_color(plain) == parse_color(vlc.get_themes()["fivethirtyeight"]["background"])  # CLI beats toml


def test_changing_the_theme_rebuilds(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {"chartspec.toml": 'theme = "dark"\n', "specs/a.yaml": spec_text(),
                                          "specs/b.yaml": spec_text("theme: brand.json\n"),
                                          "specs/brand.json": '{"background": "#fbf8f3"}\n'})

    def build() -> str:
        proc = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=project)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout + proc.stderr

    assert "2 built" in build()
    assert "nothing to do" in build()
    (project / "chartspec.toml").write_text('theme = "ggplot2"\n')
    again = build()
    assert "built specs/a.yaml" in again  # a follows the build theme
    assert parse_color(background_fill((project / "out" / "a.svg").read_text())) != parse_color("#333")
    (project / "specs/brand.json").write_text('{"background": "#000000"}\n')
    again = build()
    assert "built specs/b.yaml" in again and "1 built" in again  # the theme file's bytes count
    assert parse_color(background_fill((project / "out" / "b.svg").read_text())) == (0, 0, 0)


def test_unknown_build_theme_is_a_positioned_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {"chartspec.toml": 'out = "o"\ntheme = "drak"\n', "specs/a.yaml": spec_text()})
    proc = run_cli("build", "specs", cwd=project)
    assert proc.returncode == 2
    assert "chartspec.toml:2:1: error: unknown theme 'drak'" in proc.stderr
    assert "did you mean 'dark'?" in proc.stderr
    (project / "chartspec.toml").write_text('out = "o"\n')
    proc = run_cli("build", "specs", "--theme", "ggplto2", cwd=project)
    assert proc.returncode == 2 and "did you mean 'ggplot2'?" in proc.stderr


# -- interactivity --------------------------------------------------------------------------------

def interactive_layer(vl: dict[str, Any]) -> dict[str, Any]:
    found = [layer for layer in vl["layer"] if layer.get("name") == LAYER_NAME]
    assert len(found) == 1
    return found[0]


def hover_parts(vl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The interactive group's layers by name: the pointer-catching rects and (if any) the rule."""
    return {layer["name"]: layer for layer in interactive_layer(vl)["layer"]}


def test_interactive_spec_compiles_to_hover_tooltip_and_x_zoom(built: Path) -> None:
    vl = compiled(built, "interactive_loss_accuracy")
    parts = hover_parts(vl)
    area, rule = parts[AREA_NAME], parts[RULE_NAME]
    params = {p["name"]: p for p in area["params"]}
    hover, zoom = params[HOVER_PARAM], params[ZOOM_PARAM]
    assert hover["select"]["fields"] == ["step"] and hover["select"]["on"] == "pointerover"
    assert zoom["bind"] == "scales" and zoom["select"] == {"type": "interval", "encodings": ["x"]}  # never y
    assert vl["resolve"]["scale"]["y"] == "independent"
    # the rects tile the x range without widening it: each from halfway to the previous step
    rows = interactive_layer(vl)["data"]["values"]
    assert rows[0]["__hover_x0"] == rows[0]["step"] and rows[-1]["__hover_x1"] == rows[-1]["step"]
    assert all(a["__hover_x1"] == b["__hover_x0"] == (a["step"] + b["step"]) / 2 for a, b in zip(rows, rows[1:]))
    # the rule is invisible unless hovered
    assert rule["encoding"]["opacity"]["value"] == 0
    assert rule["encoding"]["opacity"]["condition"]["param"] == HOVER_PARAM
    titles = [item["title"] for item in area["encoding"]["tooltip"]]
    spec = chartspec.load(SPECS / "interactive_loss_accuracy.yaml")
    assert titles == [spec.model.x.title] + [lyr.name for lyr in spec.model.layers]


def test_interactive_svg_at_rest_draws_nothing_extra(built: Path) -> None:
    spec = chartspec.load(SPECS / "interactive_loss_accuracy.yaml")
    vl = chartspec.to_vegalite(spec)
    plain = copy.deepcopy(vl)
    plain["layer"] = [layer for layer in plain["layer"] if layer.get("name") != LAYER_NAME]
    interactive_svg = parse_svg((built / "interactive_loss_accuracy.svg").read_text(encoding="utf-8"))
    plain_svg = parse_svg(render(plain, ("svg",))["svg"].decode())
    assert not interactive_svg.by_role("mark", "rule")
    assert len(interactive_svg.by_role("mark")) == len(plain_svg.by_role("mark"))
    assert LAYER_NAME not in (built / "interactive_loss_accuracy.svg").read_text(encoding="utf-8")


def test_interactive_false_removes_every_tooltip() -> None:
    spec = chartspec.loads(REFERENCE.replace("data:", "interactive: false\ndata:", 1), path=SPECS / "x.yaml")
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert "tooltip" not in json.dumps(vl["layer"]) and LAYER_NAME not in json.dumps(vl)


def test_tooltip_without_rule_or_zoom() -> None:
    extra = "interactive: {hover_rule: false, zoom: false}\ndata:"
    vl = chartspec.to_vegalite(chartspec.loads(REFERENCE.replace("data:", extra, 1), path=SPECS / "x.yaml"))
    assert_valid_vega_lite(vl)
    parts = hover_parts(vl)
    assert list(parts) == [AREA_NAME]  # no rule: the rects, hovered for the tooltip
    assert [p["name"] for p in parts[AREA_NAME]["params"]] == [HOVER_PARAM]


# -- the browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(built: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context()
        tab = context.new_page()
        left: list[str] = []
        errors: list[str] = []

        def offline(route: Any) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                left.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto((built / "interactive_loss_accuracy.html").as_uri())
        tab.wait_for_function("() => document.querySelector('figure.chartspec').getAttribute('data-chartspec')",
                              timeout=15_000)
        assert tab.eval_on_selector("figure.chartspec", "f => f.getAttribute('data-chartspec')") == "ready"
        yield tab
        assert not errors and not left, (errors, left)
        browser.close()


AXES_JS = """() => [...document.querySelectorAll('.chartspec-chart svg.marks g.role-axis')]
  .filter(a => a.getAttribute('aria-label'))
  .map(a => ({label: a.getAttribute('aria-label'),
              ticks: [...a.querySelectorAll('g.role-axis-label text')].map(t => [t.textContent,
                      t.getAttribute('transform')])}))"""


def centre(page: Any) -> tuple[float, float]:
    box = page.locator(".chartspec-chart svg.marks").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_hover_shows_the_rule_and_a_tooltip_of_every_series(page: Any) -> None:
    visible = ("() => [...document.querySelectorAll('.chartspec-chart svg.marks g." + RULE_NAME + "_marks > *')]"
               ".filter(e => e.getAttribute('opacity') !== '0').length")
    page.mouse.move(5, 5)
    assert page.evaluate(visible) == 0
    page.mouse.move(*centre(page))
    page.wait_for_function(visible.replace(".length", ".length === 1"), timeout=5_000)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    text = page.inner_text("#vg-tooltip-element")
    for name in ("Step", "train loss", "validation loss", "validation accuracy"):
        assert name in text
    page.mouse.move(2, 2)


def test_wheel_zooms_x_and_keeps_both_y_axes(page: Any) -> None:
    def axes() -> dict[str, list[tuple[float, float]]]:
        out = {}
        for axis in page.evaluate(AXES_JS):
            name = axis["label"].split("'")[1]
            out[name] = [(float(text.rstrip("%")), float(re.findall(r"[-\d.]+", where)[0 if name == "Step" else 1]))
                         for text, where in axis["ticks"]]
        return out

    before = axes()
    first_x_label = json.dumps(next(a for a in page.evaluate(AXES_JS) if "Step" in a["label"])["ticks"][0][1])
    page.mouse.move(*centre(page))
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"() => ({AXES_JS})().find(a => a.label.includes('Step')).ticks[0][1] !== "
                           f"{first_x_label}", timeout=5_000)
    after = axes()

    def span(ticks: list[tuple[float, float]]) -> float:  # data units per 600 px of plot width
        (v0, p0), (v1, p1) = ticks[0], ticks[1]
        return (v1 - v0) / (p1 - p0) * 600

    assert span(after["Step"]) < 0.8 * span(before["Step"])  # zoomed in on x
    assert after["Loss"] == before["Loss"] and after["Accuracy"] == before["Accuracy"]  # y untouched, drawn
    assert len(after["Loss"]) >= 5 and len(after["Accuracy"]) >= 5


def test_a_yaml_theme_in_a_themes_folder_is_not_a_chart(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_tree(tmp_path / "p", {".git/HEAD": "", "specs/a.yaml": spec_text("theme: themes/look.yaml\n"),
                                          "specs/themes/look.yaml": "background: '#101010'\n"})
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (project / "out").glob("**/*.svg")) == ["a.svg"]
    assert parse_color(background_fill((project / "out" / "a.svg").read_text())) == (16, 16, 16)


def test_side_by_side_charts_share_the_theme_and_keep_their_own_interactions() -> None:
    item = "{x: {field: s}, layers: [{y: {field: a}}, {y: {field: b}}]}"
    text = (spec_text("theme: dark\ninteractive: true\n").split("x:")[0] + f"hconcat:\n  - {item}\n  - {item}\n")
    vl = chartspec.to_vegalite(chartspec.loads(text, path=SPECS / "x.yaml"))
    assert_valid_vega_lite(vl)
    assert "background" not in vl and vl["config"]["background"] == vlc.get_themes()["dark"]["background"]
    names = [p["name"] for chart in vl["hconcat"] for p in hover_parts(chart)[AREA_NAME]["params"]]
    assert len(names) == 4 and len(set(names)) == 4  # Vega refuses two signals of one name
    second = hover_parts(vl["hconcat"][1])[RULE_NAME]
    assert second["encoding"]["opacity"]["condition"]["param"] == f"{HOVER_PARAM}_1"
    at_rest = static_view(vl)  # static outputs of a layout draw no rule either
    assert LAYER_NAME not in json.dumps(at_rest) and LAYER_NAME in json.dumps(vl)


def test_explicit_background_and_grid_colour_beat_the_theme() -> None:
    extra = "theme: dark\nbackground: '#202020'\ngrid: {color: '#555555'}\n"
    vl = chartspec.to_vegalite(chartspec.loads(spec_text(extra), path=SPECS / "x.yaml"))
    assert_valid_vega_lite(vl)
    assert vl["background"] == "#202020"
    assert vl["config"]["axis"]["gridColor"] == "#555555"
    assert vl["config"]["axis"]["domainColor"] == vlc.get_themes()["dark"]["axis"]["domainColor"]


def test_a_theme_file_must_stay_inside_the_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {"outside.json": "{}", "project/.git/HEAD": "", "project/specs/a.yaml": spec_text(
        "theme: ../../outside.json\n")})
    with pytest.raises(chartspec.errors.ChartspecError) as caught:
        chartspec.load(tmp_path / "project/specs/a.yaml")
    first = caught.value.diagnostics[0]
    assert "leads outside the project" in first.message and (first.line, first.column) == (2, 8)


def test_interactive_defaults_match_the_schema() -> None:
    from chartspec.spec.model import Interactive
    from chartspec.spec.schema import load_schema

    props = load_schema()["$defs"]["interactive"]["properties"]
    defaults = Interactive()
    assert (defaults.tooltip, defaults.hover_rule, defaults.zoom or False) == (
        props["tooltip"]["default"], props["hover_rule"]["default"], props["zoom"]["default"])
    left_out = chartspec.loads(spec_text(""), path=SPECS / "x.yaml").model.interactive
    empty = chartspec.loads(spec_text("interactive: {}\n"), path=SPECS / "x.yaml").model.interactive
    assert left_out == empty == defaults
    everything = chartspec.loads(spec_text("interactive: true\n"), path=SPECS / "x.yaml").model.interactive
    assert everything == Interactive(tooltip=True, hover_rule=True, zoom="x")  # `true`: zoom as well


def test_a_light_grey_grid_keeps_its_contrast_on_the_pages_dark_look() -> None:
    from chartspec.compiler.themes import grey_on
    from chartspec.data.loader import with_build_theme

    spec = chartspec.loads("data: {values: [{a: 1, b: 2}, {a: 2, b: 3}]}\nx: {field: a}\n"
                           "grid: {color: \"#d9d9d9\"}\nlayers: [{y: {field: b}}]\n", path=SPECS / "x.yaml")
    dark = chartspec.to_vegalite(with_build_theme(spec, DARK_THEME))
    assert dark["config"]["axis"]["gridColor"] == "#444444"  # 38 levels above #1e1e1e, as #d9d9d9 is below white
    assert chartspec.to_vegalite(spec)["config"]["axis"]["gridColor"] == "#d9d9d9"
    named = chartspec.loads(f"theme: {DARK_THEME}\n" + "data: {values: [{a: 1, b: 2}]}\nx: {field: a}\n"
                            "grid: {color: \"#d9d9d9\"}\nlayers: [{y: {field: b}}]\n", path=SPECS / "x.yaml")
    assert chartspec.to_vegalite(named)["config"]["axis"]["gridColor"] == "#d9d9d9"  # the spec chose both
    assert grey_on("#ff0000", "#1e1e1e") == "#ff0000" and grey_on("lightgray", "#333") == "#5f5f5f"
    assert grey_on("#ddd", "white") == "#ddd"  # a light page: unchanged
