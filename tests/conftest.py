"""Shared pytest configuration.

The hypothesis profile "ci" (25 examples, no deadline, derandomized) is loaded by default so the
suite is fast and reproducible; set HYPOTHESIS_PROFILE to another registered profile ("dev",
"thorough") to override.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from framework_support import import_framework
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: Tests that run in the slow suite only, to keep the README's test command within its budget
#: (about 90 s on 2 cores). Each is a heavier twin of a case the default suite keeps: another
#: CLI process, another architecture, another compile; the default suite still covers each
#: behaviour once. Node ids (or their start, for every parameter of a test).
SLOW_TWINS = (
    # `python -m symbackprop --version` as a process: test_package.py::test_cli_version runs it
    "tests/test_cli.py::test_version",
    # one malformed input as a process stays (args2); the rest are checked in process
    "tests/test_cli.py::test_malformed_input_subprocess[args0]",
    # finite differences on example models: dot, logdet, norm1, quadratic and others stay
    "tests/test_model_derive.py::test_gradients_match_finite_differences[logistic_l2]",
    "tests/test_model_derive.py::test_gradients_match_finite_differences[norm2_squared]",
    # written-out formulas on square networks: the two 3-3-3-3 W1 forms stay
    "tests/test_trust_formula.py::test_3_1_written_out_formulas_on_square_networks_find_the"
    "_repair[3-3-3-3-W2-",
    "tests/test_trust_formula.py::test_3_1_written_out_formulas_on_square_networks_find_the"
    "_repair[4-4-4-1-W1-",
    # SymPy alone evaluates the API's expressions: the single forms and the swish batch stay
    "tests/test_sympy_evaluation.py::test_api_expressions_evaluate_with_sympy_alone[tanh-mse-batch",
    "tests/test_sympy_evaluation.py::test_api_expressions_evaluate_with_sympy_alone[relu-mse-batch",
    "tests/test_sympy_evaluation.py::test_api_expressions_evaluate_with_sympy_alone[leaky_relu-ce-",
    # one over-budget process stays (args0)
    "tests/test_trust_depth.py::test_3_5_over_budget_is_one_line_exit_2[args2]",
    # network equations as a model: the bce and softmax/ce networks stay
    "tests/test_model_derive.py::test_network_equations_derive_the_networks_gradients[2-3:tanh",
    # a model truth pastes back: norm1 and trace stay (softmax_l2 is a second pass of the same
    # print-and-check; its softmax formula is accepted by test_model_check_formula)
    "tests/test_model_truth.py::test_a_model_truth_pastes_back[residual_mlp.model-c]",
    "tests/test_model_truth.py::test_a_model_truth_pastes_back[softmax_l2.model-W]",
    # `check` as a process with a table: test_cli_models and test_trust_cli keep `check` runs
    "tests/test_cli.py::test_check_passes_with_table",
    # the bce cancellation stays; the softmax and tanh cases are the same walk
    "tests/test_trust_depth.py::test_3_3_lecture_cancellations_still_derived[4-3-2:softmax",
    "tests/test_trust_depth.py::test_3_3_lecture_cancellations_still_derived[4-3-2:tanh",
    "tests/test_trust_depth.py::test_3_4_collapse_depth_limit",
    "tests/test_trust_depth.py::test_3_5_gradients_refuses_runs_over_the_work_limit",
    # progress bars on a pseudo-terminal: the `gradients` twin stays
    "tests/test_trust_cli.py::test_2_5_check_shows_progress_on_a_terminal_only",
    "tests/test_trust_cli.py::test_4_a_terminal_without_unicode_gets_question_marks_not_exit_3[",
    # the API refusal of a non-finite activation stays in the default suite
    "tests/test_trust_numerics.py::test_4_1_cli_refuses_with_exit_2_naming_the_point",
    # one inline custom activation (swish) stays; the others are the same path
    "tests/test_custom_activation.py::test_inline_custom_activation_derives_checks_and_passes"
    "_finite_differences[log(1+exp(z))]",
    "tests/test_custom_activation.py::test_inline_custom_activation_derives_checks_and_passes"
    "_finite_differences[z/(1+abs(z))]",
    # the deck of every must-show network compiles in test_lecture_outputs (slow)
    "tests/test_slides.py::test_deck_compiles_without_overfull_frames",
    # session 16, the default suite over its 90 s: processes and compiles that other default
    # tests repeat. `shapecheck` as a piped process: test_trust_cli's shapecheck runs stay and
    # the trace and repair columns are checked in process
    # (test_the_repair_panel_shares_rows_with_the_trace_in_process); test_cli.py's
    # test_derive_subprocess_plain_output stays for a piped process's plain output
    "tests/test_check_formula.py::test_cli_shows_trace_and_repair_side_by_side_plain_when_piped",
    # a bad model as a process: the in-process bad-model tests of test_model_errors stay
    "tests/test_cli_models.py::test_a_bad_model_as_a_real_process",
    # 1e-58 off, caught exactly: the sigmoid spellings and the logistic model stay
    "tests/test_activation_spellings.py::test_a_model_formula_off_by_1e_58_is_caught_exactly[X :"
    " 3 x m\\nw : 3 x 1\\nJ = sum(tanh(",
    # JAX's 32-bit mode compiles both modules again (4 s): the network's advice stays
    # (test_float64_data_beside_32_bit_parameters_gets_the_jax_advice)
    "tests/test_jax_backend.py::test_mixed_float64_advice_under_jaxs_default_32_bit_mode",
    # the batch form of the named exact checks: the single form stays
    "tests/test_exact.py::test_check_exact_on_named_networks[4-3-2-1-bce-True]",
    "tests/test_model_derive.py::test_gradients_match_finite_differences[batch_norm]",
    # JAX compiles each case (1-2 s): the swish network and the softmax_l2 model stay; every
    # activation, float32 and rnn_3 run in the torch tests by default and here in the slow suite
    "tests/test_jax_backend.py::test_networks_equal_jax_autodiff[5-4:relu-3:tanh-3:softmax]",
    "tests/test_jax_backend.py::test_networks_equal_jax_autodiff[3-4:leaky_relu-3:softplus",
    "tests/test_jax_backend.py::test_float32_gives_float32_gradients_near_float64[",
    "tests/test_jax_backend.py::test_example_models_equal_jax_autodiff[rnn_3]",
    # a bad spec file as a process: the TOML one stays; every file's message is checked in
    # process by test_4_2_bad_spec_file_values_are_one_line_spec_errors
    "tests/test_trust_spec.py::test_4_2_bad_spec_file_values_exit_2_from_the_cli[long-l2.json]",
    "tests/test_trust_spec.py::test_4_2_bad_spec_file_values_exit_2_from_the_cli[dup.json]",
    "tests/test_trust_spec.py::test_4_2_bad_spec_file_values_exit_2_from_the_cli[nan.json]",
    # --l2 as a process: 1e308 and 5000 digits stay; nan, 1e400 and a negative value exit 2
    # in process in test_trust_cli.py::test_4_3_hostile_numbers_and_names and test_cli.py
    "tests/test_trust_spec.py::test_4_2_huge_l2_on_the_command_line_exits_2[1e400]",
    "tests/test_trust_spec.py::test_4_2_huge_l2_on_the_command_line_exits_2[nan]",
    "tests/test_trust_spec.py::test_4_2_huge_l2_on_the_command_line_exits_2[-0.1]",
    # printed repairs parse back: the named-width, the batch (1/m) and the relu cases stay; the
    # 4-3-2-1 W3, square 4-4-4-1 and second batch form are the same print-and-reparse
    "tests/test_trust_formula.py::test_5_3_every_printed_repair_parses_back_and_is_accepted"
    "[4-3-2-1-W3-",
    "tests/test_trust_formula.py::test_5_3_every_printed_repair_parses_back_and_is_accepted"
    "[4-4-4-1-W1-",
    "tests/test_trust_formula.py::test_5_3_every_printed_repair_parses_back_and_is_accepted"
    "[4-3-2-1-W2-A2 ",
    # explosive formulas: (1 + a3)^999 and exp(exp(exp(a3))) stay for their twins
    "tests/test_trust_formula.py::test_3_2_small_explosive_formulas_end_with_a_verdict[((1 + a3)",
    "tests/test_trust_formula.py::test_3_2_small_explosive_formulas_end_with_a_verdict[sin(exp(",
    "tests/test_trust_formula.py::test_3_2_small_explosive_formulas_end_with_a_verdict[log(exp(",
    # the numpy contract: tanh runs in the softplus-tanh-softmax case and l2 in the identity one
    "tests/test_codegen.py::test_deterministic_and_contract[5-4:tanh-4:tanh-1-",
    # logistic_l2 stays (the same loss on a mean instead of a sum)
    "tests/test_model_codegen.py::test_example_models_compile_and_pass_gradcheck[logistic_sum]",
    # the PDF of the batch, l2, custom-activation, softmax network stays
    "tests/test_latex_pdf.py::test_document_compiles[n-3-2-1-",
    # a derivative at a constant matrix: sigmoid'(0) right and wrong stay
    "tests/test_formula_undefined_everywhere_is_refused.py::test_a_function_of_a_constant_matrix_that_is_real_is"
    "_compared[(A + A^T) x + b + tanh'",
    # a shifted kink as a process: a positive and a negative threshold, and two layers, stay
    "tests/test_hostile7_formula.py::test_a_shifted_kink_is_refused[4-3:relu-1-0.1]",
    "tests/test_hostile7_formula.py::test_a_shifted_kink_is_refused[4-3:relu-1-0.2]",
    # soft ce targets: y^2 and the indicator stay
    "tests/test_hostile7_formula.py::test_ce_targets_are_soft_so_a_power_of_y_is_not_y[y ",
    # session 13's default twins: one case of each stays
    # a model formula off by 1 + 1e-58: the X-model case stays
    "tests/test_activation_spellings.py::test_a_model_formula_off_by_1e_58_is_caught_exactly[x",
    "tests/test_activation_spellings.py::test_a_model_formula_off_by_1e_58_is_caught_exactly"
    "[examples/models/logistic_l2.model",
    # hidden= unused: the API case stays; this is the same refusal as a process
    "tests/test_hidden_keyword_unused.py::test_cli_hidden_softmax_where_no_hidden_layer_takes_it",
    # abs' in the formula language: the norm1 model stays; log(abs(det(X))) is the same printer
    "tests/test_model_derive.py::test_abs_derivative_is_printed_in_the_formula_language[X",
    # a full stdout as a process: args1 stays
    "tests/test_trust_cli.py::test_4_full_stdout_is_exit_2_not_an_internal_error[args0]",
    # right model formulas: rowsum(dz1) and the four small models stay
    "tests/test_model_check_formula.py::test_correct_formulas_are_accepted[text10-",
    "tests/test_model_check_formula.py::test_correct_formulas_are_accepted[text11-",
    # SymPy alone evaluates the API's expressions: sigmoid with l2 and the swish batch stay
    "tests/test_sympy_evaluation.py::test_api_expressions_evaluate_with_sympy_alone"
    "[identity-bce-single",
    "tests/test_sympy_evaluation.py::test_api_expressions_evaluate_with_sympy_alone"
    "[softplus-ce-single",
    # network equations as code: 3-2-1 and the softmax network stay
    "tests/test_model_codegen.py::test_network_equations_generate_code_with_equal_numbers"
    "[3-4:tanh-2:identity-kw2]",
    # kitchen_sink compiles and passes gradcheck by default; its SymPy evaluation is slow-only
    "tests/test_model_codegen.py::test_loss_and_grads_agree_with_the_sympy_evaluation[kitchen_sink]",
    # torch on example models: rnn_3, residual_mlp and logdet_inv stay (JAX keeps softmax_l2)
    "tests/test_torch_backend.py::test_example_models_equal_torch_autograd[softmax_l2]",
    # a band on a round kink end to end (2 s): the switch mapping of bands stays in
    # test_a_monotone_functions_switch_lies_on_its_base and test_kink_regions
    "tests/test_switch_search_finds_wrong_formulas.py::test_a_band_on_a_round_kink_is_searched",
    # JAX's jit of a float16 module (1-3 s each): the NumPy and torch cases stay, and JAX's
    # bce network; the L2 term is one emitter method for all three backends
    "tests/test_half_precision_costs.py::test_a_network_cost_in_float16_is_finite_and_right"
    "[3-2:relu-4:softmax-ce-30.0-jax]",
    "tests/test_half_precision_costs.py::test_a_network_cost_in_float16_is_finite_and_right"
    "[3-2-1:identity-mse-300.0-jax]",
    "tests/test_half_precision_costs.py::test_the_l2_term_of_16_bit_weights_is_summed_in_float32"
    "[jax]",
    # the other byte order: the NumPy and torch model modules stay (JAX's takes 2 s)
    "tests/test_byte_order.py::test_a_model_module_refuses_the_other_byte_order[jax]",
    # a repeated sum computed once: the NumPy module stays (the torch one takes 1.7 s)
    "tests/test_codegen_repeated_value.py::test_a_repeated_sum_is_computed_once_torch",
    # a tiny cost exact to rounding: JAX's bce network and every other backend's ce stay
    "tests/test_cost_accuracy_every_backend.py::test_a_tiny_cost_is_exact_to_rounding"
    "[ce network-30.0-jax]",
)


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: object, items: list[pytest.Item]) -> None:
    """Mark the :data:`SLOW_TWINS` slow; put the modules that name torch or jax first."""
    for item in items:
        if item.nodeid.startswith(SLOW_TWINS):
            item.add_marker(pytest.mark.slow)
    # xdist's worksteal hands each worker a contiguous half of this list and a worker that runs
    # out steals from the end of the other's queue: with the modules that name torch or jax
    # first (a stable sort), the first worker alone imports them (about 6 s of CPU per worker)
    names_a_framework: dict[Path, bool] = {}
    for item in items:
        if item.path not in names_a_framework:
            text = item.path.read_text(encoding="utf-8")
            names_a_framework[item.path] = re.search(r"\b(torch|jax)\b", text) is not None
    items.sort(key=lambda item: not names_a_framework[item.path])


@pytest.fixture(scope="session")  # a session fixture: hypothesis refuses function-scoped ones
def needs_torch() -> None:
    """Skip the test without torch (fail under SYMBACKPROP_REQUIRE_TORCH=1): for the modules
    that compile torch code before their first torch call, as ``pytestmark``."""
    import_framework("torch")


@pytest.fixture(scope="session")
def needs_jax() -> None:
    """Skip the test without jax (fail under SYMBACKPROP_REQUIRE_JAX=1); sets jax_enable_x64."""
    import_framework("jax")
