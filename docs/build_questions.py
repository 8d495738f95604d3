"""Build docs/questions.md: ten questions learners ask about backprop shapes, each answered by
the real output of a symbackprop command.

Run from the repository root (or anywhere): ``python docs/build_questions.py`` rewrites
docs/questions.md; ``python docs/build_questions.py --check`` exits 1 if the committed page
differs from a fresh build (tests/test_questions_page.py does the same). Each command runs in a
subprocess with NO_COLOR=1 and COLUMNS=100, so the output is the terminal's plain text.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "questions.md"


@dataclass(frozen=True)
class Question:
    """A question in our words, where learners ask it, the short answer, and the command.

    ``excerpt`` (optional) is the first characters of the output line where the shown part
    starts; it runs to the next blank line (``until``: to the first line starting so; ``""``:
    to the end).
    """

    title: str
    source: str
    source_note: str
    answer: str
    command: str
    look: str
    excerpt: str | None = None
    until: str | None = None


QUESTIONS = [
    Question(
        "Why is there a transpose in $dW^{[2]} = \\delta^{[2]} a^{[1]\\top}$?",
        "https://developerload.com/matrix-derivation-for-neural-network-formula",
        "a Stack Overflow question (mirrored there): why is $dZ/dW$ the transposed activation, "
        "and why does the order of the factors change?",
        "Entry $(i, j)$ of the gradient is $\\delta_i a_j$: the weight $W_{ij}$ reaches only "
        "row $i$ of $z$, and there it is multiplied by $a_j$. A column times a row "
        "(an outer product) is exactly the matrix whose $(i, j)$ entry is $\\delta_i a_j$, and "
        "writing $a$ as a row is what the transpose does.",
        "symbackprop derive 4-3-2-1 --indices --wrt W2",
        "the step $\\partial J/\\partial W^{[2]}$: the sum over $k$ collapses to $k = i$, and "
        "the matrix form is checked entry by entry.",
        excerpt=" 7. dJ/dW2",
    ),
    Question(
        "Why an element-wise product $\\odot$ and not a matrix product?",
        "https://community.deeplearning.ai/t/element-wise-multiplication-or-dot-product-in-"
        "backpropagation/528420",
        "a DeepLearning.AI forum thread: when is a chain-rule factor element-wise, and when is "
        "it a matrix product?",
        "An activation acts on each entry alone, so its Jacobian is diagonal; a diagonal matrix "
        "times a vector multiplies entry by entry. Written as a matrix product of two column "
        "vectors, the shapes do not even fit, which is the quickest way to catch the mistake.",
        'symbackprop shapecheck 4-3-2-1 --wrt W2 "((W3^T delta3) a2 (1 - a2)) a1^T"',
        "where the shapes break (the product of two $n_2 \\times 1$ columns) and the repair "
        "with $\\odot$.",
    ),
    Question(
        "Why does the bias gradient sum over the batch?",
        "https://datascience.stackexchange.com/questions/20139/gradients-for-bias-terms-in-"
        "backpropagation",
        "Data Science Stack Exchange: why is the bias updated with the summed gradient and not "
        "the whole matrix?",
        "The same $b_i$ is added to every column (every example) of $Z$, so every example "
        "contributes to its derivative, and the contributions add up: $\\sum_t \\delta_{it}$, "
        "which is the product with a column of ones.",
        "symbackprop derive 3-2-1 --batch --indices --wrt b2",
        "the double sum over units and examples, the unit sum collapsing, the example sum "
        "staying.",
        excerpt=" 4. dJ/db2",
    ),
    Question(
        "Why is the output delta just $a - y$?",
        "https://community.deeplearning.ai/t/i-dont-know-the-difference-between-dzl-al-y-and-"
        "dzl-dal-g-zl/96740",
        "a DeepLearning.AI forum thread: how do $dZ^{[L]} = A^{[L]} - Y$ and the general "
        "$dA \\odot g'(Z)$ relate?",
        "They are the same formula. With a sigmoid output and binary cross-entropy, the loss "
        "derivative $\\frac{1-y}{1-a} - \\frac{y}{a}$ times $\\sigma' = a(1-a)$ cancels to "
        "$a - y$; symbackprop derives that cancellation with SymPy instead of assuming it.",
        "symbackprop derive 4-3-2-1 --wrt W3",
        "step 2: the candidates, and the scalar algebra line that ends in $a - y$.",
        excerpt=" 2. dJ/dz3",
        until=" 3.",
    ),
    Question(
        "Where does the $1/m$ go?",
        "https://ai.stackexchange.com/questions/18712/why-is-my-derivation-of-the-back-"
        "propagation-equations-inconsistent-with-andrew",
        "AI Stack Exchange: why do the course's $dW$ and $db$ carry $1/m$ while $dZ$ does not?",
        "The cost is the mean over the $m$ examples, so $1/m$ belongs to the very first "
        "derivative. symbackprop keeps it there, inside $\\delta^{[L]}$, and every later "
        "gradient inherits it; courses that leave it out of $dZ$ put it back in $dW$ and $db$. "
        "Both give the same numbers; only the bookkeeping differs.",
        "symbackprop derive 3-2-1 --batch --wrt W2",
        "$1/m$ inside $\\delta^{[2]}$, and no $1/m$ written again in "
        "$\\partial J/\\partial W^{[2]}$ (the product with $A^{[1]\\top}$ sums over the "
        "examples).",
        excerpt="Delta recursion",
        until="",
    ),
    Question(
        "Why $W^\\top$ in the delta recursion?",
        "https://stats.stackexchange.com/questions/478781/whats-wrong-in-this-derivation-of-"
        "back-propagation-errors",
        "Cross Validated: a careful derivation that gets $\\delta^{l+1} w^l \\sigma'(z^l)$ and "
        "asks where it went wrong.",
        "$a_j$ feeds every unit $k$ of the next layer through $W_{kj}$, so its gradient sums "
        "down column $j$ of $W$. Summing down a column is the same as multiplying by the "
        "transpose.",
        "symbackprop derive 4-3-2-1 --indices --wrt W2",
        "the step $\\partial J/\\partial a^{[2]}$: the sum runs over the first index of "
        "$W^{[3]}$.",
        excerpt=" 5. dJ/da2",
    ),
    Question(
        "What must the forward pass cache?",
        "https://community.deeplearning.ai/t/dont-we-need-to-cache-a-l-instead-of-z-l-in-"
        "forward-propagation/837463",
        "a DeepLearning.AI forum thread: the lecture caches $z^{[l]}$, but the formulas read "
        "$a^{[l]}$; which is it?",
        "Exactly what the backward pass reads, and that depends on the activation: a sigmoid's "
        "derivative is read from $A$, and so is relu's ($1\\{A > 0\\}$: $a > 0$ exactly "
        "where $z > 0$), and the weight gradient needs the previous layer's $A$ (the input $X$ "
        "for the first layer). The generated code caches that and nothing more.",
        "symbackprop codegen 3-2:relu-1",
        "the cache: $X$ for $\\partial J/\\partial W^{[1]}$, $A^{[1]}$ for relu's derivative "
        "and $\\partial J/\\partial W^{[2]}$ (no $Z^{[1]}$), $Z^{[2]}$ and $A^{[2]}$ for the "
        "cost and the output delta.",
        excerpt="    cache = {",
        until="    }",
    ),
    Question(
        "Why can a square layer hide a wrong transpose?",
        "https://github.com/iamtrask/Grokking-Deep-Learning/pull/22",
        "a pull request to a deep-learning book's notebooks that fixes weight deltas written "
        "transposed (rows for columns), a bug that runs silently wherever the shapes allow it.",
        "When $W$ is square, $\\delta a^\\top$ and its transpose $a \\delta^\\top$ have the same "
        "shape, so numpy accepts both and only the numbers are wrong. symbackprop gives every "
        "layer its own symbolic width, so even in a 3-3-3-1 network the wrong arrangement "
        "has shape $n_1 \\times n_2$ instead of $n_2 \\times n_1$ and is refused.",
        'symbackprop shapecheck 3-3-3-1 --wrt W2 "a1 delta2^T"',
        "the concrete shapes, both $3 \\times 3$, and the refusal all the same, with the repair.",
    ),
    Question(
        "Why does softmax with cross-entropy give $A - Y$?",
        "https://web-offline.shuffle-on.com/content/stats.stackexchange.com_en_all_2024-10/"
        "questions/621661/understanding-backpropagation-with-softmax-and-quadratic-error",
        "a Cross Validated question (offline mirror): with a softmax output most texts write "
        "$\\delta^{(L)} = A^{(L)} - Y$; where does it come from?",
        "The softmax Jacobian is full, $\\partial a_k/\\partial z_i = a_k(\\mathbf{1}_{k=i} - "
        "a_i)$. With cross-entropy the upstream entries are $-y_k/a_k$, the $a_k$ cancel, and "
        "what is left is $a_i \\sum_k y_k - y_i$: that is $a_i - y_i$ only because each "
        "column of $Y$ sums to 1 (one-hot targets). With another loss it is not $A - Y$.",
        "symbackprop derive 4-3:relu-3:softmax --loss ce --batch --indices --wrt W2",
        "the Jacobian, the chain, and the line that uses the one-hot assumption.",
        excerpt=" 3. dJ/dZ2",
    ),
    Question(
        "Why does the gradient vanish with sigmoid?",
        "https://oalahurikar.github.io/ai-blog/First-Principles/Learning-is-slow-for-sigmoid",
        "a learner's write-up of why learning is slow for sigmoid layers.",
        "Each sigmoid layer multiplies the delta by $\\sigma'(z) \\le 1/4$ (and by "
        "$W^\\top$), so in the network below, nine sigmoid layers under an identity output "
        "layer, the first layer's gradient is several orders of magnitude smaller than the last "
        "layer's.",
        "symbackprop gradients --depth 10 --width 16 --activation sigmoid --init xavier "
        "--seeds 2 --m 8",
        "the per-layer norms, falling by a factor of about 3 to 5 per layer from the output "
        "back to layer 1.",
    ),
]


def run(command: str) -> str:
    """The command's standard output (plain text, 100 columns)."""
    argv = shlex.split(command)
    assert argv[0] == "symbackprop"
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    proc = subprocess.run(
        [sys.executable, "-m", "symbackprop", *argv[1:]],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    if proc.returncode not in (0, 1):  # 1: a formula or check that fails, on purpose
        raise SystemExit(f"{command!r} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout + (proc.stderr if proc.returncode == 1 else "")


def excerpt(output: str, question: Question) -> str:
    if question.excerpt is None:
        return output.rstrip("\n")
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(question.excerpt)), None)
    if start is None:
        raise SystemExit(
            f"no line starts with {question.excerpt!r} in the output of {question.command!r}"
        )
    if question.until == "":  # to the end
        return "\n".join(lines[start:])
    out = [lines[start]]
    for line in lines[start + 1 :]:
        if question.until is not None and line.startswith(question.until):
            if question.until.strip() == "}":
                out.append(line)
            break
        if question.until is None and not line.strip():
            break
        out.append(line)
    return "\n".join(out)


def build() -> str:
    rows = [
        "# Ten questions learners ask about backprop shapes",
        "",
        "Each question below is one that learners ask again and again in public forums and "
        "trackers (a source for each), put in our own words, with a short answer and the "
        "symbackprop command whose output answers it. The outputs are real: "
        "`docs/build_questions.py` runs every command and writes this page, and a test checks "
        "that the page equals a fresh build. Where only part of an output is shown, the page "
        "says which part.",
        "",
    ]
    for number, q in enumerate(QUESTIONS, start=1):
        output = run(q.command)
        shown = excerpt(output, q)
        part = "the part starting at `" + q.excerpt.strip() + "`" if q.excerpt else "in full"
        rows += [
            f"## {number}. {q.title}",
            "",
            f"**Asked at:** <{q.source}>: {q.source_note}",
            "",
            q.answer,
            "",
            "```console",
            f"$ {q.command}",
            "```",
            "",
            f"Output ({part}). What to look at: {q.look}",
            "",
            "```text",
            shown,
            "```",
            "",
        ]
    return "\n".join(rows).rstrip("\n") + "\n"


def main() -> int:
    page = build()
    if "--check" in sys.argv[1:]:
        same = PAGE.exists() and PAGE.read_text(encoding="utf-8") == page
        print("docs/questions.md is up to date" if same else "docs/questions.md is stale")
        return 0 if same else 1
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
