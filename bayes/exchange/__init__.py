"""Models to and from other tools (BIF, XMLBIF, NET, XDSL) and generated test models."""
