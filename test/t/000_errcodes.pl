# The SQLSTATEs of src/errcodes.h and the table in README.md list the same
# codes: the header is the only definition, the README its manual.
use strict;
use warnings;
use Test::More;
use FindBin;

my $top = "$FindBin::Bin/../..";
open my $h, '<', "$top/src/errcodes.h" or die "src/errcodes.h: $!";
my %header;
while (<$h>)
{
	$header{"PE$1$2$3"} = 1
	  if /MAKE_SQLSTATE\('P',\s*'E',\s*'(\d)',\s*'(\d)',\s*'(\d)'\)/;
}
close $h;

open my $r, '<', "$top/README.md" or die "README.md: $!";
my %readme;
while (<$r>)
{
	$readme{$1} = 1 if /^\|\s*`(PE\d{3})`\s*\|/;
}
close $r;

ok(scalar(keys %header) > 0, 'src/errcodes.h defines codes');
for my $code (sort keys %header)
{
	ok($readme{$code}, "$code of src/errcodes.h is listed in README.md");
}
for my $code (sort keys %readme)
{
	ok($header{$code}, "$code of README.md is defined in src/errcodes.h");
}
done_testing();
