"""The explorer's Solara page: the model behind controls and live views (Mesa's SolaraViz
conventions). Run by ``ceasefire explore`` (``solara run`` on 127.0.0.1), which hands it the
scenario through :data:`sim.explore.world.ENV`."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # the server draws; nothing opens a window

import matplotlib.pyplot as plt  # noqa: E402
import solara  # noqa: E402

from sim.explore.world import World, from_environment  # noqa: E402
from sim.outcomes import STATES  # noqa: E402
from sim.plots.style import RC, STATE_COLORS  # noqa: E402

START = from_environment()
world = solara.reactive(START)
version = solara.reactive(0)  # bumped after every change of the world: the views redraw


def _changed() -> None:
    version.value += 1


def _front(w: World):
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        weeks = [h["week"] for h in w.history]
        ax.plot(weeks, [h["control"] * 100 for h in w.history], color="#333333", lw=2)
        for h in w.history:
            ax.axvspan(
                h["week"] - 0.5, h["week"] + 0.5, color=STATE_COLORS[h["status"]], alpha=0.15, lw=0
            )
        ax.set(xlim=(0, w.horizon), xlabel="Week", ylabel="Russia's control (%)",
               title="The front (background: the state each week)")  # fmt: skip
        fig.tight_layout()
    return fig


@solara.component
def Controls(w: World) -> None:
    policies = ["(none)", *w.scenario.spec.policies]

    def rebuild(replicate: int | None = None, policy: str | None = None) -> None:
        chosen = w.policy if policy is None else (None if policy == "(none)" else policy)
        world.value = World(
            w.source,
            replicate=w.replicate if replicate is None else max(0, int(replicate)),
            policy=chosen,
            overrides=w.overrides,
        )
        _changed()

    def step(n: int) -> None:
        w.step(n)
        _changed()

    with solara.Row():
        solara.InputInt("Replicate", value=w.replicate, on_value=lambda v: rebuild(replicate=v))
        solara.Select("Policy", values=policies, value=w.policy or "(none)",
                      on_value=lambda p: rebuild(policy=p))  # fmt: skip
        solara.Button("Step a week", on_click=lambda: step(1), disabled=w.done)
        solara.Button("Step a round (4 weeks)", on_click=lambda: step(4), disabled=w.done)
        solara.Button("Play to the end", on_click=lambda: step(w.horizon), disabled=w.done)
        solara.Button("Reset", on_click=lambda: (w.reset(), _changed()))


@solara.component
def Page() -> None:
    version.value  # noqa: B018 - read, so that every change redraws the page
    w = world.value
    now = w.history[-1]
    solara.Title("ceasefire explore")
    solara.Markdown(
        f"## {w.scenario.label}: replicate {w.replicate}\n"
        f"**Week {now['week']}**{' (' + now['date'] + ')' if now['date'] else ''} of "
        f"{w.horizon}: {STATES[now['status']].lower()}. "
        f"Russia's control: {now['control'] * 100:.2f}%."
    )
    Controls(w)
    solara.FigureMatplotlib(_front(w), dependencies=[version.value])
    offers = [h for h in w.history if h["offer"]]
    last = offers[-1] if offers else None
    if last:
        o = last["offer"]
        terms = ", ".join(f"{k} {v:.2f}" for k, v in o["terms"].items())
        answers = "; ".join(
            f"{a} {'accepts' if x['accepts'] else 'refuses'} (surplus {x['surplus']:+.3f})"
            for a, x in o["answers"].items()
        )
        end = "a ceasefire is signed" if not o["blocker"] else f"blocked by {o['blocker']}"
        solara.Markdown(
            f"### The last package tabled (week {last['week']})\n{terms}.  \n{answers}: {end}."
        )
    else:
        solara.Markdown("### No package tabled yet")
    actors = list(now["positions"])
    issues = list(next(iter(now["positions"].values())))
    head = "| Actor | belief: drift of the front (points a year) | " + " | ".join(issues) + " |"
    rule = "|---" * (len(issues) + 2) + "|"
    rows = [
        f"| {a} | {now['beliefs'][a] * 100:+.2f} | "
        + " | ".join(f"{now['positions'][a][k]:.2f}" for k in issues)
        + " |"
        for a in actors
    ]
    solara.Markdown("### Beliefs and stated positions\n" + "\n".join([head, rule, *rows]))
    if "outcome" in now:
        o = now["outcome"]
        first = (
            f"first ceasefire in week {o['ceasefire_week']}"
            if o["ceasefire_week"] is not None
            else "no ceasefire"
        )
        solara.Markdown(
            f"### Outcome at week {now['week']}\nOutcome: {o['outcome']}; {first}; "
            f"final control {o['final_control']:.6f}."
        )
