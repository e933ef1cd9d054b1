package hostloader

import (
	"debug/elf"
	"fmt"
)

// elfTarget is what an ELF header says about the processor a file is built for.
type elfTarget struct {
	class   elf.Class
	data    elf.Data
	machine elf.Machine
}

// elfTargets maps each GOARCH that supports plugins to its ELF header values.
var elfTargets = map[string]elfTarget{
	"386":      {elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_386},
	"amd64":    {elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_X86_64},
	"arm":      {elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_ARM},
	"arm64":    {elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_AARCH64},
	"loong64":  {elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_LOONGARCH},
	"mips":     {elf.ELFCLASS32, elf.ELFDATA2MSB, elf.EM_MIPS},
	"mipsle":   {elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_MIPS},
	"mips64":   {elf.ELFCLASS64, elf.ELFDATA2MSB, elf.EM_MIPS},
	"mips64le": {elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_MIPS},
	"ppc64":    {elf.ELFCLASS64, elf.ELFDATA2MSB, elf.EM_PPC64},
	"ppc64le":  {elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_PPC64},
	"riscv64":  {elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_RISCV},
	"s390x":    {elf.ELFCLASS64, elf.ELFDATA2MSB, elf.EM_S390},
}

// archName names the target as a GOARCH value when one matches, and otherwise spells out
// the ELF header values.
func (t elfTarget) archName() string {
	for goarch, known := range elfTargets {
		if known == t {
			return goarch
		}
	}
	return fmt.Sprintf("%v (%v, %v)", t.machine, t.class, t.data)
}
