# Internal account contract (Contracts API 4).
# Backs every internal account of the product library: the bank's own accounts that mirror
# general-ledger lines (interest paid, interest received, fee income, ...). Internal accounts
# must accept every posting the customer products send them, so the hooks only guard against
# malformed instructions and annotate large movements for reconciliation.

from contracts_api import (
    DEFAULT_ADDRESS,
    DEFAULT_ASSET,
    AccountNotificationDirective,
    PostPostingHookArguments,
    PostPostingHookResult,
    PrePostingHookArguments,
    PrePostingHookResult,
    Rejection,
    RejectionReason,
    Tside,
    requires,
)
from decimal import Decimal
from json import dumps
from typing import Optional

api = "4.0.0"
version = "1.0.0"
display_name = "Internal account"
summary = "Generic internal account for GL-mirroring accounts"
explanation = (
    "Accepts all postings in the supported denominations on the default address. "
    "The accounting tside is set per internal account at creation."
)
tside = Tside.LIABILITY
supported_denominations = ["GBP", "EUR", "USD"]

# Movements at or above this amount raise a reconciliation notification.
LARGE_MOVEMENT_THRESHOLD = Decimal("1000000")
LARGE_MOVEMENT_NOTIFICATION = "INTERNAL_ACCOUNT_LARGE_MOVEMENT"

notification_types = [LARGE_MOVEMENT_NOTIFICATION]

parameters = []


def _unsupported_denominations(posting_instructions) -> set:
    unsupported = set()
    for instruction in posting_instructions:
        for coordinate in instruction.balances().keys():
            if coordinate.denomination not in supported_denominations:
                unsupported.add(coordinate.denomination)
    return unsupported


def _net_default_movement(posting_instructions) -> Decimal:
    total = Decimal("0")
    for instruction in posting_instructions:
        for coordinate, balance in instruction.balances().items():
            if coordinate.account_address == DEFAULT_ADDRESS and coordinate.asset == DEFAULT_ASSET:
                total += balance.net
    return total


@requires(parameters=True)
def pre_posting_hook(
    vault, hook_arguments: PrePostingHookArguments
) -> Optional[PrePostingHookResult]:
    unsupported = _unsupported_denominations(hook_arguments.posting_instructions)
    if unsupported:
        return PrePostingHookResult(
            rejection=Rejection(
                message=f"Internal account does not support denominations {sorted(unsupported)}",
                reason_code=RejectionReason.WRONG_DENOMINATION,
            )
        )
    return None


def post_posting_hook(
    vault, hook_arguments: PostPostingHookArguments
) -> Optional[PostPostingHookResult]:
    movement = _net_default_movement(hook_arguments.posting_instructions)
    if abs(movement) < LARGE_MOVEMENT_THRESHOLD:
        return None
    return PostPostingHookResult(
        account_notification_directives=[
            AccountNotificationDirective(
                notification_type=LARGE_MOVEMENT_NOTIFICATION,
                notification_details={
                    "account_id": vault.account_id,
                    "net_movement": str(movement),
                    "client_transaction_ids": dumps(
                        [pi.client_transaction_id for pi in hook_arguments.posting_instructions]
                    ),
                },
            )
        ]
    )
