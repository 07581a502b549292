// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Coffer Test USD
/// @notice The devnet's stablecoin: an ERC-20 with EIP-2612 permit (EIP-712 domain
///         "Coffer Test USD" / "1"), so a client can deposit into PaymentVault in one transaction.
///         The owner mints it to the dev accounts and, through the faucet, to users' wallets.
contract TestUSD is ERC20, ERC20Permit, Ownable {
    constructor() ERC20("Coffer Test USD", "tUSD") ERC20Permit("Coffer Test USD") Ownable(msg.sender) {}

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
